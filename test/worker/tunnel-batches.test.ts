import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hubStub } from "../../worker/objects/stubs.js";
import { submitCall } from "../../worker/tunnel/submit-call.js";
import { PROTOCOL_VERSION } from "../../shared/tunnel/protocol.js";
import { api, connectRunner, execOutput, helloToken, newKey, register, TestSocket, type Frame, type Key } from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";

type StoredCall = { state: string; finishedAt: number | null; outcome: { ok: boolean; output?: { stdout: string } } | null };

async function registered(prefix: string): Promise<{ runner: string; key: Key }> {
  const runner = newRunnerName(prefix);
  const key = await newKey();
  expect((await register(runner, key)).status).toBe(201);
  return { runner, key };
}

/** Queues `count` calls while the runner is away; returns their ids in submission order. */
async function queue(runner: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const answer = await submitCall(env, {
      runner,
      session: "main",
      request: { tool: "exec", args: { command: `echo ${n}` } },
      timeoutMs: 30_000,
      replyTo: null,
      label: `call ${n}`,
      waitMs: 0,
    });
    if (answer.status !== "queued") throw new Error(`not queued: ${JSON.stringify(answer)}`);
    ids.push(answer.callId);
  }
  return ids;
}

async function receive(tunnel: TestSocket, count: number): Promise<Frame[]> {
  const calls: Frame[] = [];
  while (calls.length < count) calls.push(await tunnel.next());
  return calls;
}

/** One `results` frame answering `calls` in order (result seq 1, 2, …), each with stdout `<tag>-<n>`. */
function resultsFor(calls: Frame[], tag: string): Frame {
  return {
    type: "results",
    results: calls.map((call, n) => ({
      type: "result",
      seq: n + 1,
      id: call.id,
      outcome: { ok: true, output: execOutput(`${tag}-${n}`) },
    })),
  };
}

async function stored(id: string): Promise<StoredCall> {
  return (await api("GET", `/api/calls/${id}`)).json<StoredCall>();
}

async function storedAll(ids: string[]): Promise<StoredCall[]> {
  return Promise.all(ids.map(stored));
}

describe("tunnel batches (protocol v4)", () => {
  it("drains a queue in a few `calls` batches, in order; a `results` batch is stored with one ack", async () => {
    const { runner, key } = await registered("batch-drain");
    const ids = await queue(runner, 250);
    const { tunnel } = await connectRunner(runner, key);
    const calls = await receive(tunnel, 250);
    expect(calls.map((call) => call.id)).toEqual(ids);
    expect(calls.map((call) => call.seq)).toEqual(ids.map((_, n) => n + 1));
    // Every call still carries its own capability; far fewer frames than calls.
    expect(calls.every((call) => typeof call.capability === "string")).toBe(true);
    expect(tunnel.batches).toBeGreaterThanOrEqual(3);
    expect(tunnel.batches).toBeLessThan(20);

    tunnel.send({ type: "ack", seq: 250 });
    tunnel.send(resultsFor(calls, "out"));
    expect(await tunnel.next()).toEqual({ type: "ack", seq: 250 });
    const views = await storedAll(ids);
    views.forEach((view, n) => expect(view).toMatchObject({ state: "done", outcome: { ok: true, output: { stdout: `out-${n}` } } }));
    tunnel.socket.close(1000);
    await tunnel.closed;

    // The counters moved with the batch: a reconnect resends nothing and expects nothing.
    const again = await connectRunner(runner, key);
    expect(again.welcome).toMatchObject({ resume: { callSeq: 250, resultSeq: 250 } });
    again.tunnel.socket.close(1000);
  });

  it("an ack lost: the runner sends the batch again, the hub finishes no call twice and acks again", async () => {
    const { runner, key } = await registered("batch-ack-lost");
    const first = await connectRunner(runner, key);
    const answers = [0, 1, 2].map((n) =>
      submitCall(env, {
        runner,
        session: "main",
        request: { tool: "exec", args: { command: `echo ${n}` } },
        timeoutMs: 30_000,
        replyTo: null,
        label: `call ${n}`,
        waitMs: 30_000,
      }),
    );
    const calls = await receive(first.tunnel, 3);
    first.tunnel.send({ type: "ack", seq: 3 });
    first.tunnel.send(resultsFor(calls, "first"));
    expect(await first.tunnel.next()).toEqual({ type: "ack", seq: 3 });
    // Each waiting sender is told once, with the stored outcome.
    (await Promise.all(answers)).forEach((answer, n) =>
      expect(answer).toEqual({ status: "done", outcome: { ok: true, output: execOutput(`first-${n}`) } }),
    );
    const before = await storedAll(calls.map((call) => String(call.id)));
    // The runner never saw that ack: it reconnects and sends the same results again (here altered, to tell them apart).
    first.tunnel.socket.close(1000);
    await first.tunnel.closed;

    const second = await connectRunner(runner, key);
    expect(second.welcome).toMatchObject({ resume: { callSeq: 3, resultSeq: 3 } });
    second.tunnel.send(resultsFor(calls, "second"));
    expect(await second.tunnel.next()).toEqual({ type: "ack", seq: 3 });
    expect(await storedAll(calls.map((call) => String(call.id)))).toEqual(before);
    second.tunnel.socket.close(1000);
  });

  it("the hub is reset between storing a batch and its ack: nothing is lost, nothing re-sent or finished twice", async () => {
    const { runner, key } = await registered("batch-reset");
    const ids = await queue(runner, 5);
    const first = await connectRunner(runner, key);
    const calls = await receive(first.tunnel, 5);
    first.tunnel.send({ type: "ack", seq: 5 });
    first.tunnel.send(resultsFor(calls, "kept"));
    // Stored (the transaction committed) — then the object restarts before the runner reads its ack.
    for (let i = 0; i < 100 && (await storedAll(ids)).some((view) => view.state !== "done"); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const before = await storedAll(ids);
    before.forEach((view, n) => expect(view).toMatchObject({ state: "done", outcome: { output: { stdout: `kept-${n}` } } }));
    await runInDurableObject(hubStub(env, runner), (_instance, state) => state.abort("a test restart")).catch(() => undefined);
    await first.tunnel.closed;

    // The runner dials in again and resends every result it holds unacknowledged.
    const { tunnel, nonce } = await TestSocket.open(runner);
    tunnel.send({ type: "hello", version: PROTOCOL_VERSION, token: await helloToken(key, runner, nonce) });
    // The result counter was written in the same transaction as the results.
    expect(await tunnel.next()).toMatchObject({ type: "welcome", resume: { callSeq: 5, resultSeq: 5 } });
    tunnel.send(resultsFor(calls, "resent"));
    // The next frame is the ack: no call was sent again, so none can run twice.
    expect(await tunnel.next()).toEqual({ type: "ack", seq: 5 });
    expect(await storedAll(ids)).toEqual(before);
    tunnel.socket.close(1000);
  });

  it("speaks to a v3 runner as before: one frame per call, one ack per result", async () => {
    const { runner, key } = await registered("batch-v3");
    const ids = await queue(runner, 120);
    const { tunnel, nonce } = await TestSocket.open(runner);
    tunnel.send({ type: "hello", version: 3, token: await helloToken(key, runner, nonce) });
    expect(await tunnel.next()).toMatchObject({ type: "welcome", version: 3 });
    const calls = await receive(tunnel, 120);
    expect(calls.map((call) => call.id)).toEqual(ids);
    expect(tunnel.batches).toBe(0);
    tunnel.send({ type: "ack", seq: 120 });
    calls
      .slice(0, 2)
      .forEach((call, n) => tunnel.send({ type: "result", seq: n + 1, id: call.id, outcome: { ok: true, output: execOutput(`v3-${n}`) } }));
    expect([await tunnel.next(), await tunnel.next()]).toEqual([
      { type: "ack", seq: 1 },
      { type: "ack", seq: 2 },
    ]);
    tunnel.socket.close(1000);
  });
});
