import { env, SELF } from "cloudflare:test";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { executionContext } from "./execution-context.js";
import { newRunnerName } from "./test-ids.js";
import { app } from "../../worker/app.js";
import { CloseCode, RUNNER_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import { ConsoleReply } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";

const bearer = { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-type": "application/json" };

type Key = { privateKey: CryptoKey; publicJwk: JWK; kid: string };

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("Ed25519", { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const { calculateJwkThumbprint } = await import("jose");
  return { privateKey, publicJwk, kid: await calculateJwkThumbprint(publicJwk, "sha256") };
}

async function register(name: string, key: Key): Promise<Response> {
  return SELF.fetch("http://gateway/api/runners", {
    method: "POST",
    headers: bearer,
    body: JSON.stringify({ name, publicKey: key.publicJwk }),
  });
}

/** A tunnel socket as a runner sees it: frames arrive in `frames`, `closed` resolves with the close code. */
async function openTunnel(runner: string) {
  const response = await SELF.fetch(`http://gateway/tunnel?runner=${runner}`, { headers: { upgrade: "websocket" } });
  const socket = response.webSocket;
  if (!socket) throw new Error(`no WebSocket: ${response.status}`);
  socket.accept();
  const frames: Array<Record<string, unknown>> = [];
  let wake: (() => void) | null = null;
  socket.addEventListener("message", (event) => {
    frames.push(JSON.parse(String(event.data)) as Record<string, unknown>);
    wake?.();
  });
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
  const next = async (): Promise<Record<string, unknown>> => {
    while (frames.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return frames.shift()!;
  };
  const challenge = await next();
  expect(challenge).toMatchObject({ type: "challenge", versions: [2, 3, 4], nonce: expect.any(String) });
  return { socket, next, closed, nonce: String(challenge.nonce) };
}

type Claims = { nonce?: string; aud?: string; sub?: string; iat?: number; exp?: number; typ?: string };

async function token(key: Key, runner: string, nonce: string, claims: Claims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ nonce: claims.nonce ?? nonce })
    .setProtectedHeader({ alg: "EdDSA", typ: claims.typ ?? RUNNER_JWT_TYPE, kid: key.kid })
    .setAudience(claims.aud ?? TUNNEL_AUDIENCE)
    .setSubject(claims.sub ?? runner)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 60)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

async function expectRefused(tunnel: Awaited<ReturnType<typeof openTunnel>>, code: number = CloseCode.unauthorized) {
  expect(await tunnel.next()).toMatchObject({ type: "error", error: { code: expect.any(String) } });
  expect(await tunnel.closed).toBe(code);
}

describe("tunnel authentication", () => {
  it("welcomes a runner that signs the nonce with its registered key", async () => {
    const runner = newRunnerName("auth");
    const key = await newKey();
    expect((await register(runner, key)).status).toBe(201);
    const tunnel = await openTunnel(runner);
    tunnel.socket.send(JSON.stringify({ type: "hello", version: 2, token: await token(key, runner, tunnel.nonce) }));
    expect(await tunnel.next()).toEqual({ type: "welcome", version: 2, runner, resume: { callSeq: 0, resultSeq: 0 } });
    tunnel.socket.close(1000);
  });

  it("refuses and closes a token signed with an unregistered key", async () => {
    const runner = newRunnerName("auth");
    await register(runner, await newKey());
    const tunnel = await openTunnel(runner);
    tunnel.socket.send(JSON.stringify({ type: "hello", version: 2, token: await token(await newKey(), runner, tunnel.nonce) }));
    await expectRefused(tunnel);
  });

  it("refuses an expired token, an alg:none token, a wrong nonce, audience, subject or typ", async () => {
    const runner = newRunnerName("auth");
    const key = await newKey();
    await register(runner, key);
    const now = Math.floor(Date.now() / 1000);
    const header = btoa(JSON.stringify({ alg: "none", typ: RUNNER_JWT_TYPE, kid: key.kid })).replace(/=+$/, "");
    const forgeries: Array<(nonce: string) => string | Promise<string>> = [
      (nonce) => token(key, runner, nonce, { iat: now - 300, exp: now - 240 }),
      (nonce) =>
        `${header}.${btoa(JSON.stringify({ nonce, aud: TUNNEL_AUDIENCE, sub: runner, iat: now, exp: now + 60, jti: "x" })).replace(/=+$/, "")}.`,
      (nonce) => token(key, runner, nonce, { nonce: "a-nonce-from-another-connection" }),
      (nonce) => token(key, runner, nonce, { aud: "some-other-gateway" }),
      (nonce) => token(key, runner, nonce, { sub: "another-runner" }),
      (nonce) => token(key, runner, nonce, { typ: "JWT" }),
      (nonce) => token(key, runner, nonce, { exp: now + 3600 }),
    ];
    for (const forge of forgeries) {
      const tunnel = await openTunnel(runner);
      tunnel.socket.send(JSON.stringify({ type: "hello", version: 2, token: await forge(tunnel.nonce) }));
      await expectRefused(tunnel);
    }
  });

  it("refuses anything but a hello before authentication, binary frames and unknown versions", async () => {
    const runner = newRunnerName("auth");
    const key = await newKey();
    await register(runner, key);

    const early = await openTunnel(runner);
    early.socket.send(
      JSON.stringify({ type: "result", seq: 1, id: "x", outcome: { ok: false, error: { code: "internal", message: "" } } }),
    );
    await expectRefused(early);

    const binary = await openTunnel(runner);
    binary.socket.send(new Uint8Array([1, 2, 3]));
    await expectRefused(binary, CloseCode.policy);

    const future = await openTunnel(runner);
    future.socket.send(JSON.stringify({ type: "hello", version: 99, token: await token(key, runner, future.nonce) }));
    await expectRefused(future, CloseCode.protocolVersion);
  });

  it("refuses a registration carrying a private key or a non-Ed25519 key", async () => {
    const key = await newKey();
    const privateJwk = await exportJWK(key.privateKey);
    for (const publicKey of [privateJwk, { kty: "RSA", n: "abc", e: "AQAB" }, { ...key.publicJwk, crv: "X25519" }]) {
      const response = await SELF.fetch("http://gateway/api/runners", {
        method: "POST",
        headers: bearer,
        body: JSON.stringify({ name: newRunnerName("auth"), publicKey }),
      });
      expect(response.status).toBe(400);
    }
  });
});

describe("tool calls over an authenticated tunnel", () => {
  it("relays a console /run to the runner and its result back to the sender", async () => {
    // Its own runner name: Durable Objects touched by another test file are reset between files.
    const runner = newRunnerName("auth");
    const key = await newKey();
    await register(runner, key);
    const tunnel = await openTunnel(runner);
    tunnel.socket.send(JSON.stringify({ type: "hello", version: 2, token: await token(key, runner, tunnel.nonce) }));
    expect(await tunnel.next()).toMatchObject({ type: "welcome" });

    const replyPromise = app.request(
      "/api/messages",
      { method: "POST", headers: bearer, body: JSON.stringify({ text: "/run echo relayed" }) },
      { ...env, DEFAULT_RUNNER: runner },
      executionContext,
    );
    const call = await tunnel.next();
    expect(call).toMatchObject({
      type: "call",
      seq: 1,
      session: "main",
      request: { tool: "exec", args: { command: "echo relayed" } },
      capability: expect.any(String),
    });
    const output = {
      exitCode: 0,
      stdout: "relayed\n\u001b[31m",
      stderr: "",
      stdoutTruncated: false,
      stderrTruncated: false,
      timedOut: false,
      durationMs: 5,
    };
    tunnel.socket.send(JSON.stringify({ type: "result", seq: 1, id: call.id, outcome: { ok: true, output } }));
    const { reply } = await readJson(await replyPromise, ConsoleReply);
    // Terminal escapes never reach chat.
    expect(reply).toBe("relayed");
    tunnel.socket.close(1000);
    await tunnel.closed;
  });
});
