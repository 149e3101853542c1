import { exportJWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { CloseCode, ROTATION_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import {
  api,
  callIdIn,
  connectRunner,
  consoleRun,
  finishedCall,
  helloToken,
  newKey,
  register,
  TestSocket,
  type Key,
} from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";
import { RunnerKeyRevoked, RunnerRegistered, RunnerRotated } from "../../shared/admin-api.js";
import { ErrorBody } from "../../shared/wire-error.js";
import { readJson } from "../support/read-json.js";
import { CLOSE_GRACE_MS } from "../../worker/tunnel/socket-sweep.js";

async function rotationToken(signer: Key, runner: string, next: Key, jti = crypto.randomUUID()): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ newKey: next.publicJwk })
    .setProtectedHeader({ alg: "EdDSA", typ: ROTATION_JWT_TYPE, kid: signer.kid })
    .setAudience(TUNNEL_AUDIENCE)
    .setSubject(runner)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(jti)
    .sign(signer.privateKey);
}

describe("runner keys: register, revoke, rotate", () => {
  it("answers registration with the gateway's public key (never a private part)", async () => {
    const runner = newRunnerName("reg");
    const response = await register(runner, await newKey());
    expect(response.status).toBe(201);
    const body = await readJson(response, RunnerRegistered);
    expect(body.gatewayKey).toMatchObject({ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: expect.any(String) });
    expect(body.gatewayKey).not.toHaveProperty("d");
  });

  it("revoking a key closes its live socket at once and stops its queued calls (acceptance 5)", async () => {
    const runner = newRunnerName("revoke");
    const key = await newKey();
    await register(runner, key);
    // Three calls wait for the offline runner…
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(callIdIn(await consoleRun(runner, `echo queued-${n}`)));
    // …then the owner revokes the runner's only key before it reconnects.
    const revoke = await api("DELETE", `/api/runners/${key.kid}`);
    expect(revoke.status).toBe(200);
    expect(await readJson(revoke, RunnerKeyRevoked)).toMatchObject({ runner, kid: key.kid, revoked: true, cancelled: 3 });
    for (const id of ids) expect((await finishedCall(id)).outcome).toMatchObject({ ok: false, error: { code: "runner_revoked" } });

    // A connected runner is cut off at once.
    const second = await newKey();
    const secondRunner = newRunnerName("revoke-live");
    await register(secondRunner, second);
    const { tunnel } = await connectRunner(secondRunner, second);
    const started = Date.now();
    expect((await api("DELETE", `/api/runners/${second.kid}`)).status).toBe(200);
    expect(await tunnel.next()).toMatchObject({ type: "error", error: { code: "unauthorized" } });
    expect(await tunnel.closed).toBe(CloseCode.revoked);
    // At once: by the revocation itself, not by a later sweep (a wall-clock bound only that loose, for loaded machines).
    expect(Date.now() - started).toBeLessThan(CLOSE_GRACE_MS);

    // The queued calls reach no one: not a new key of the same runner…
    const fresh = await newKey();
    expect((await register(runner, fresh)).status).toBe(201);
    const { tunnel: successor } = await connectRunner(runner, fresh);
    const reply = consoleRun(runner, "echo after-revoke");
    const first = await successor.next();
    expect(first).toMatchObject({ type: "call", request: { args: { command: "echo after-revoke" } } });
    successor.send({ type: "result", seq: 1, id: first.id, outcome: { ok: false, error: { code: "internal", message: "test" } } });
    await reply;
    successor.socket.close(1000);
    // …and not the revoked key, which neither authenticates nor registers again.
    const { tunnel: old, nonce: oldNonce } = await TestSocket.open(runner);
    old.send({ type: "hello", version: 2, token: await helloToken(key, runner, oldNonce) });
    expect(await old.next()).toMatchObject({ type: "error" });
    expect(await old.closed).toBe(CloseCode.unauthorized);
    expect((await register(runner, key)).status).toBe(409);
  });

  it("keeps at most two live keys", async () => {
    const runner = newRunnerName("two");
    expect((await register(runner, await newKey())).status).toBe(201);
    expect((await register(runner, await newKey())).status).toBe(201);
    const third = await register(runner, await newKey());
    expect(third.status).toBe(409);
    expect(await readJson(third, ErrorBody)).toMatchObject({
      error: { code: "conflict", message: expect.stringMatching(/two live keys/) },
    });
  });

  it("rotates: the live key vouches for the next one, others are retired, the token works once", async () => {
    const runner = newRunnerName("rotate");
    const [current, spare, next] = [await newKey(), await newKey(), await newKey()];
    await register(runner, current);
    await register(runner, spare);
    const { tunnel: spareSocket } = await connectRunner(runner, spare);
    const token = await rotationToken(current, runner, next);
    const rotated = await api("POST", `/api/runners/${runner}/rotate`, { token });
    expect(rotated.status).toBe(201);
    expect(await readJson(rotated, RunnerRotated)).toMatchObject({ kid: next.kid, retired: [spare.kid] });
    // The retired key's socket is closed; the new key connects.
    expect(await spareSocket.closed).toBe(CloseCode.revoked);
    const { welcome } = await connectRunner(runner, next);
    expect(welcome).toMatchObject({ type: "welcome", runner });
    const status = await (await api("GET", `/api/runners/${runner}`)).json<{ keys: Array<{ kid: string }> }>();
    expect(status.keys.map((k) => k.kid).sort()).toEqual([current.kid, next.kid].sort());
    // Replayed, signed by a stranger, or by a retired key: refused.
    expect((await api("POST", `/api/runners/${runner}/rotate`, { token })).status).toBe(401);
    expect(
      (await api("POST", `/api/runners/${runner}/rotate`, { token: await rotationToken(await newKey(), runner, await newKey()) })).status,
    ).toBe(401);
    expect((await api("POST", `/api/runners/${runner}/rotate`, { token: await rotationToken(spare, runner, await newKey()) })).status).toBe(
      401,
    );
  });

  it("refuses to revoke unknown or malformed kids", async () => {
    expect((await api("DELETE", `/api/runners/${(await newKey()).kid}`)).status).toBe(404);
    expect((await api("DELETE", `/api/runners/..%2F..%2Fetc`)).status).toBe(400);
    const privateJwk = await exportJWK((await newKey()).privateKey);
    expect((await api("POST", "/api/runners", { name: newRunnerName("priv"), publicKey: privateJwk })).status).toBe(400);
  });
});
