import { env, SELF } from "cloudflare:test";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { app } from "../../worker/app.js";
import { PROTOCOL_VERSION, RUNNER_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import { executionContext } from "./execution-context.js";
import { ConsoleReply } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";

export const bearer = { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-type": "application/json" };

export type Key = { privateKey: CryptoKey; publicJwk: JWK; kid: string };
export type Frame = Record<string, unknown> & { type: string };

export async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("Ed25519", { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, kid: await calculateJwkThumbprint(publicJwk, "sha256") };
}

/** The old name of newRunnerName (test-ids.ts), kept while files written before it still use it. */
export { newRunnerName as freshRunner } from "./test-ids.js";

export function api(method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`http://gateway${path}`, { method, headers: bearer, body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function register(name: string, key: Key): Promise<Response> {
  return api("POST", "/api/runners", { name, publicKey: key.publicJwk });
}

/**
 * Every test socket still open. The test worker holds only so many connections at once, and at this
 * compatibility date its client sockets do not answer a close frame by themselves: a socket the hub
 * closed, or one a test forgot, would hold its connection into the next file. A TestSocket answers
 * the hub's close, and whatever is left open is closed when its file ends (closeTestSockets).
 */
const openSockets = new Set<WebSocket>();

/** Closes every test socket still open (afterAll in test/worker/close-test-sockets.ts, for every file). */
export function closeTestSockets(): void {
  for (const socket of openSockets) closeQuietly(socket);
  openSockets.clear();
}

function closeQuietly(socket: WebSocket): void {
  try {
    socket.close(1000, "test over");
  } catch {
    // already closed
  }
}

/** A runner's socket as the runner sees it: frames queue up in order; `closed` resolves with the close code. */
export class TestSocket {
  private readonly frames: Frame[] = [];
  private wake: (() => void) | null = null;
  readonly closed: Promise<number>;
  closeCode: number | null = null;
  /** How many `calls` batch frames arrived (their calls are queued one by one). */
  batches = 0;

  constructor(readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as Frame;
      // A v4 `calls` batch is its calls in order, as a runner admits them; `batches` counts the frames.
      if (frame.type === "calls") {
        this.batches += 1;
        this.frames.push(...(frame.calls as Frame[]));
      } else this.frames.push(frame);
      this.wake?.();
    });
    this.closed = new Promise<number>((resolve) =>
      socket.addEventListener("close", (event) => {
        openSockets.delete(socket);
        // Answer the hub's close, so the connection is released (see openSockets).
        closeQuietly(socket);
        this.closeCode = event.code;
        resolve(event.code);
        this.wake?.();
      }),
    );
  }

  static async open(runner: string): Promise<{ tunnel: TestSocket; nonce: string }> {
    const response = await SELF.fetch(`http://gateway/tunnel?runner=${runner}`, { headers: { upgrade: "websocket" } });
    const socket = response.webSocket;
    if (!socket) throw new Error(`no WebSocket: ${response.status}`);
    socket.accept();
    openSockets.add(socket);
    const tunnel = new TestSocket(socket);
    const challenge = await tunnel.next();
    if (challenge.type !== "challenge") throw new Error(`expected a challenge, got ${JSON.stringify(challenge)}`);
    return { tunnel, nonce: String(challenge.nonce) };
  }

  /** The next frame (skipping pongs); throws if the socket closes first. */
  async next(): Promise<Frame> {
    for (;;) {
      const frame = this.frames.shift();
      if (frame && frame.type !== "pong") return frame;
      if (frame) continue;
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) while waiting for a frame`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
}

type Claims = { nonce?: string; aud?: string; sub?: string; iat?: number; exp?: number; typ?: string; jti?: string };

export async function helloToken(key: Key, runner: string, nonce: string, claims: Claims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ nonce: claims.nonce ?? nonce })
    .setProtectedHeader({ alg: "EdDSA", typ: claims.typ ?? RUNNER_JWT_TYPE, kid: key.kid })
    .setAudience(claims.aud ?? TUNNEL_AUDIENCE)
    .setSubject(claims.sub ?? runner)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 60)
    .setJti(claims.jti ?? crypto.randomUUID())
    .sign(key.privateKey);
}

/** A scripted runner: authenticated, reading calls and answering them by hand. */
export async function connectRunner(runner: string, key: Key): Promise<{ tunnel: TestSocket; welcome: Frame }> {
  const { tunnel, nonce } = await TestSocket.open(runner);
  tunnel.send({ type: "hello", version: PROTOCOL_VERSION, token: await helloToken(key, runner, nonce) });
  const welcome = await tunnel.next();
  if (welcome.type !== "welcome") throw new Error(`not welcomed: ${JSON.stringify(welcome)}`);
  return { tunnel, welcome };
}

/** A console `/run` as the owner's CLI sends it, routed to `runner`. */
export async function consoleRun(runner: string, command: string, extraEnv: Partial<Env> = {}): Promise<string> {
  const response = await app.request(
    "/api/messages",
    { method: "POST", headers: bearer, body: JSON.stringify({ text: `/run ${command}` }) },
    { ...env, DEFAULT_RUNNER: runner, ...extraEnv },
    executionContext,
  );
  const { reply } = await readJson(response, ConsoleReply);
  if (reply === null) throw new Error(`no reply to /run ${command}`);
  return reply;
}

export function callIdIn(reply: string): string {
  const match = /Call ([a-z0-9-]+_[0-9a-f]{32})/.exec(reply);
  if (!match?.[1]) throw new Error(`no call id in ${JSON.stringify(reply)}`);
  return match[1];
}

export function execOutput(stdout: string) {
  return { exitCode: 0, stdout, stderr: "", stdoutTruncated: false, stderrTruncated: false, timedOut: false, durationMs: 1 };
}

/** Polls GET /api/calls/:id until `done` (the alarm that expires calls runs on its own schedule). */
export async function finishedCall(
  id: string,
  attempts = 100,
): Promise<{ state: string; outcome: { ok: boolean; error?: { code: string } } }> {
  for (let i = 0; i < attempts; i++) {
    const call = await (
      await api("GET", `/api/calls/${id}`)
    ).json<{
      state: string;
      outcome: { ok: boolean; error?: { code: string } };
    }>();
    if (call.state === "done") return call;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`call ${id} never finished`);
}
