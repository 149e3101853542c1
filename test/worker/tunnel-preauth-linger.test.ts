import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { CloseCode } from "../../shared/tunnel/protocol.js";
import { hubStub } from "../../worker/objects/stubs.js";
import type { RunnerHub } from "../../worker/tunnel/runner-hub.js";
import { AUTH_DEADLINE_MS } from "../../worker/tunnel/hub-deadlines.js";
import { CLOSE_GRACE_MS, MAX_UNAUTHENTICATED_SOCKETS } from "../../worker/tunnel/socket-sweep.js";
import { api, connectRunner, consoleRun, execOutput, newKey, register, type TestSocket } from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";

/** Upgrade attempts in the first wave (the attack run used 1,000; a few hundred show the same on two loaded cores). */
const ATTEMPTS = 300;

type SocketCounts = { authenticated: number; unauthenticated: number; closing: number };

/**
 * An attacker's socket: upgraded, challenged, never authenticated, and deaf to the close. At this
 * compatibility date workerd does not answer a close frame for the test's client sockets, so the
 * hub's close gets no reply, exactly like a raw TCP client that never sends one.
 */
type Silent = { socket: WebSocket; closed: Promise<number> };

/**
 * Every socket this file opened. The test worker holds only so many connections at once, so the
 * silent ones are closed from our side when the file ends — else the next file's sockets wait behind them.
 */
const opened: WebSocket[] = [];
afterAll(() => {
  for (const socket of opened.splice(0)) {
    try {
      socket.close(1000, "test over");
    } catch {
      // already closed
    }
  }
});

async function attempt(runner: string): Promise<{ status: number; retryAfter: string | null; body: string; silent: Silent | null }> {
  const response = await SELF.fetch(`http://gateway/tunnel?runner=${runner}`, { headers: { upgrade: "websocket" } });
  const socket = response.webSocket;
  if (!socket)
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.text(), silent: null };
  socket.accept();
  opened.push(socket);
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
  return { status: response.status, retryAfter: null, body: "", silent: { socket, closed } };
}

/** `count` upgrade attempts, `perBatch` at a time (the test worker holds only so many requests at once). */
async function flood(runner: string, count: number, perBatch = 50) {
  const results: Awaited<ReturnType<typeof attempt>>[] = [];
  for (let done = 0; done < count; done += perBatch) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(perBatch, count - done) }, () => attempt(runner)))));
  }
  return results;
}

async function sockets(runner: string): Promise<SocketCounts & { connected: boolean }> {
  const status = await (await api("GET", `/api/runners/${runner}`)).json<{ connected: boolean; sockets: SocketCounts }>();
  return { connected: status.connected, ...status.sockets };
}

/**
 * Stops the hub's socket clock, so its deadlines pass only when `passTime` says (on two loaded
 * cores a flood of upgrades can take longer than the deadline itself).
 */
async function stopTime(runner: string): Promise<void> {
  await runInDurableObject(hubStub(env, runner), (hub: RunnerHub) => hub.socketClock.stopAt(Date.now()));
}

/** Moves the hub's socket clock forward by `ms` and runs its alarm, as the runtime would once the time came. */
async function passTime(runner: string, ms: number): Promise<void> {
  const stub = hubStub(env, runner);
  await runInDurableObject(stub, (hub: RunnerHub) => hub.socketClock.stopAt(hub.socketClock.now() + ms));
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

/** The authenticated runner answers one console call by hand. */
async function serves(runner: TestSocket, name: string, seq: number, word: string): Promise<void> {
  const reply = consoleRun(name, `echo ${word}`);
  const call = await runner.next();
  expect(call).toMatchObject({ type: "call", request: { args: { command: `echo ${word}` } } });
  runner.send({ type: "ack", seq: call.seq });
  runner.send({ type: "result", seq, id: call.id, outcome: { ok: true, output: execOutput(word) } });
  expect(await reply).toBe(word);
  // The hub stored the result: it acknowledges it.
  expect(await runner.next()).toEqual({ type: "ack", seq });
}

describe("unauthenticated sockets that ignore the close (issue 14 item 5)", () => {
  it("refuses upgrades past the cap before accepting them, closes the silent ones at the deadline, forgets them after the grace, and the runner is served throughout", async () => {
    const runner = newRunnerName("linger");
    const key = await newKey();
    expect((await register(runner, key)).status).toBe(201);
    await stopTime(runner);
    const real = await connectRunner(runner, key);

    // Upgrades that never authenticate: the cap accepts the first ones, the rest are refused with a 503 before any socket exists.
    const first = await flood(runner, ATTEMPTS);
    const accepted = first.flatMap((result) => (result.silent ? [result.silent] : []));
    const refused = first.filter((result) => result.silent === null);
    expect(accepted).toHaveLength(MAX_UNAUTHENTICATED_SOCKETS);
    expect(refused).toHaveLength(ATTEMPTS - MAX_UNAUTHENTICATED_SOCKETS);
    for (const result of refused) {
      expect(result.status).toBe(503);
      expect(result.retryAfter).toBe(String(Math.ceil((AUTH_DEADLINE_MS + CLOSE_GRACE_MS) / 1000)));
      expect(JSON.parse(result.body)).toEqual({
        error: { code: "too_many_connections", message: expect.stringMatching(/waiting to authenticate/) },
      });
    }
    expect(await sockets(runner)).toEqual({ connected: true, authenticated: 1, unauthenticated: MAX_UNAUTHENTICATED_SOCKETS, closing: 0 });
    await serves(real.tunnel, runner, 1, "served-during-flood");

    // The auth deadline passes: each silent socket is sent 4408 and does not answer it.
    await passTime(runner, AUTH_DEADLINE_MS + 1000);
    expect(new Set(await Promise.all(accepted.map((silent) => silent.closed)))).toEqual(new Set([CloseCode.authTimeout]));
    expect(accepted.every((silent) => silent.socket.readyState === WebSocket.CLOSING)).toBe(true);
    expect(await sockets(runner)).toEqual({ connected: true, authenticated: 1, unauthenticated: 0, closing: MAX_UNAUTHENTICATED_SOCKETS });

    // The grace passes with no answer: the hub treats them as gone. Its count is the authenticated socket alone,
    // nothing is kept for them (no nonce waiting, the attachment only says closed), and they take no slot.
    await passTime(runner, CLOSE_GRACE_MS + 1000);
    expect(await sockets(runner)).toEqual({ connected: true, authenticated: 1, unauthenticated: 0, closing: 0 });
    const kept = await runInDurableObject(hubStub(env, runner), (_hub: RunnerHub, state) => ({
      nonces: state.storage.sql.exec("SELECT COUNT(*) AS n FROM tunnel_nonces WHERE used = 0").one().n,
      attachments: state.getWebSockets().map((socket) => JSON.stringify(socket.deserializeAttachment())),
    }));
    expect(kept.nonces).toBe(0);
    expect(kept.attachments.filter((attachment) => attachment !== '{"phase":"closed"}')).toEqual([
      expect.stringMatching(/"phase":"ready"/),
    ]);
    await serves(real.tunnel, runner, 2, "served-after-sweep");

    // The slots are free again: the next wave gets exactly the cap, and the runner is still the one connected.
    const second = await flood(runner, 2 * MAX_UNAUTHENTICATED_SOCKETS);
    expect(second.filter((result) => result.silent !== null)).toHaveLength(MAX_UNAUTHENTICATED_SOCKETS);
    expect(second.filter((result) => result.status === 503)).toHaveLength(MAX_UNAUTHENTICATED_SOCKETS);
    await passTime(runner, AUTH_DEADLINE_MS + 1000);
    await passTime(runner, CLOSE_GRACE_MS + 1000);
    expect(await sockets(runner)).toEqual({ connected: true, authenticated: 1, unauthenticated: 0, closing: 0 });
    await serves(real.tunnel, runner, 3, "served-after-second-wave");
    expect(real.tunnel.closeCode).toBeNull();
    real.tunnel.socket.close(1000);
  }, 120_000);

  it("while the slots are full the runner is refused too (it retries with backoff); once the silent sockets are swept it connects", async () => {
    const runner = newRunnerName("linger-cap");
    const key = await newKey();
    await register(runner, key);
    await stopTime(runner);
    const first = await flood(runner, MAX_UNAUTHENTICATED_SOCKETS + 1);
    expect(first.filter((result) => result.status === 503)).toHaveLength(1);
    // The runner itself is refused while the slots are full (it retries with backoff) ...
    const blocked = await attempt(runner);
    expect(blocked.status).toBe(503);
    // ... and connects as soon as the deadline has swept the silent sockets.
    await passTime(runner, AUTH_DEADLINE_MS + 1000);
    await passTime(runner, CLOSE_GRACE_MS + 1000);
    const real = await connectRunner(runner, key);
    expect(await sockets(runner)).toEqual({ connected: true, authenticated: 1, unauthenticated: 0, closing: 0 });
    await serves(real.tunnel, runner, 1, "connected-after-sweep");
    real.tunnel.socket.close(1000);
  }, 60_000);
});
