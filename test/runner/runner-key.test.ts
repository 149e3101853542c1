import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { generateRunnerKey, loadRunnerKey, RunnerKeyError, signHelloToken } from "../../runner/identity/runner-key.js";
import { RUNNER_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";

const dir = await mkdtemp(join(tmpdir(), "drawbridge-key-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("runner key", () => {
  it("is written with mode 0600 and never overwritten", async () => {
    const path = join(dir, "key.json");
    const key = await generateRunnerKey(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await expect(generateRunnerKey(path)).rejects.toThrow(/refusing to overwrite/);
    expect((await loadRunnerKey(path)).kid).toBe(key.kid);
  });

  it("is refused when other users can read it", async () => {
    const path = join(dir, "shared.json");
    await generateRunnerKey(path);
    await chmod(path, 0o644);
    await expect(loadRunnerKey(path)).rejects.toThrow(RunnerKeyError);
    await expect(loadRunnerKey(path)).rejects.toThrow(/chmod 600/);
  });

  it("is refused when it holds only a public key", async () => {
    const path = join(dir, "public.json");
    const key = await generateRunnerKey(join(dir, "source.json"));
    await writeFile(path, JSON.stringify(key.publicJwk), { mode: 0o600 });
    await expect(loadRunnerKey(path)).rejects.toThrow(/not an Ed25519 private key/);
  });

  it("signs a short-lived hello token over the gateway's nonce", async () => {
    const key = await loadRunnerKey(join(dir, "key.json"));
    const token = await signHelloToken(key, "home", "nonce-123");
    expect(decodeProtectedHeader(token)).toEqual({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid: key.kid });
    const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, "EdDSA"), { audience: TUNNEL_AUDIENCE, subject: "home" });
    expect(payload.nonce).toBe("nonce-123");
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
    expect(payload.jti).toEqual(expect.any(String));
  });
});
