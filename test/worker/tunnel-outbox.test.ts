import { describe, expect, it } from "vitest";
import { submitCall } from "../../worker/tunnel/submit-call.js";
import { env, runInDurableObject } from "cloudflare:test";
import { hubStub } from "../../worker/objects/stubs.js";
import {
  api,
  callIdIn,
  connectRunner,
  consoleRun,
  execOutput,
  finishedCall,
  newKey,
  register,
  type Frame,
  type Key,
} from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";
import { StatusList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";

async function registered(prefix: string): Promise<{ runner: string; key: Key }> {
  const runner = newRunnerName(prefix);
  const key = await newKey();
  expect((await register(runner, key)).status).toBe(201);
  return { runner, key };
}

describe("durable outbox", () => {
  it("answers an unknown runner name with an error at once, never a hang", async () => {
    const reply = await consoleRun(newRunnerName("nobody"), "echo hi");
    expect(reply).toMatch(/no runner named "nobody-[^"]+" is registered, so nothing ran/);
  });

  it("queues while the runner is offline, tells the sender once, drains in order on connect", async () => {
    const { runner, key } = await registered("drain");
    const replies = [];
    for (let n = 1; n <= 5; n++) replies.push(await consoleRun(runner, `echo queued-${n}`));
    for (const reply of replies) expect(reply).toMatch(/^⏳ Queued — the home runner is offline/);
    const ids = replies.map(callIdIn);
    const status = await readJson(await api("GET", "/api/status"), StatusList);
    expect(status.runners.find((r) => r.runner === runner)).toMatchObject({ connected: false, queueDepth: 5, inFlight: 0 });

    const { tunnel, welcome } = await connectRunner(runner, key);
    expect(welcome).toMatchObject({ resume: { callSeq: 0, resultSeq: 0 } });
    const calls: Frame[] = [];
    for (let n = 0; n < 5; n++) calls.push(await tunnel.next());
    expect(calls.map((c) => c.id)).toEqual(ids);
    expect(calls.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(calls.map((c) => (c.request as { args: { command: string } }).args.command)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `echo queued-${n}`),
    );
    tunnel.send({ type: "ack", seq: 5 });
    calls.forEach((call, index) =>
      tunnel.send({ type: "result", seq: index + 1, id: call.id, outcome: { ok: true, output: execOutput(`out-${index + 1}`) } }),
    );
    for (let n = 1; n <= 5; n++) expect(await tunnel.next()).toEqual({ type: "ack", seq: n });
    // The console picks queued results up by id.
    for (const [index, id] of ids.entries()) {
      expect(await finishedCall(id)).toMatchObject({ state: "done", outcome: { ok: true, output: { stdout: `out-${index + 1}` } } });
    }
    const after = await (await api("GET", `/api/runners/${runner}`)).json<Record<string, unknown>>();
    expect(after).toMatchObject({ connected: true, queueDepth: 0, inFlight: 0, lastSeen: expect.any(Number) });
    tunnel.socket.close(1000);
  });

  it("re-sends only unacknowledged calls after a reconnect and stores a result once", async () => {
    const { runner, key } = await registered("resume");
    const first = await connectRunner(runner, key);
    const replies = [consoleRun(runner, "echo one"), consoleRun(runner, "echo two")];
    const one = await first.tunnel.next();
    const two = await first.tunnel.next();
    first.tunnel.send({ type: "ack", seq: one.seq });
    first.tunnel.socket.close(1000);
    await first.tunnel.closed;

    const second = await connectRunner(runner, key);
    expect(second.welcome).toMatchObject({ resume: { callSeq: one.seq } });
    const again = await second.tunnel.next();
    expect(again).toMatchObject({ type: "call", id: two.id, seq: two.seq });
    // A result delivered twice (its ack was lost) is stored once and acknowledged both times.
    for (let i = 0; i < 2; i++)
      second.tunnel.send({ type: "result", seq: 1, id: one.id, outcome: { ok: true, output: execOutput("first") } });
    second.tunnel.send({ type: "result", seq: 2, id: two.id, outcome: { ok: true, output: execOutput("second") } });
    expect([await second.tunnel.next(), await second.tunnel.next(), await second.tunnel.next()]).toEqual([
      { type: "ack", seq: 1 },
      { type: "ack", seq: 1 },
      { type: "ack", seq: 2 },
    ]);
    expect(await Promise.all(replies)).toEqual(["first", "second"]);
    second.tunnel.socket.close(1000);
  });

  it("reports a call whose queue TTL ran out as expired, never drops it", async () => {
    const { runner } = await registered("ttl");
    expect((await api("PATCH", `/api/runners/${runner}`, { queueTtlSeconds: 1 })).status).toBe(200);
    const id = callIdIn(await consoleRun(runner, "echo too-late"));
    const call = await finishedCall(id, 60);
    expect(call.outcome).toMatchObject({ ok: false, error: { code: "call_expired" } });
  });

  it("bounds the queue and tells the sender when it is full", async () => {
    const { runner } = await registered("bound");
    await api("PATCH", `/api/runners/${runner}`, { queueLimit: 2 });
    expect(await consoleRun(runner, "echo 1")).toMatch(/Queued/);
    expect(await consoleRun(runner, "echo 2")).toMatch(/Queued/);
    expect(await consoleRun(runner, "echo 3")).toMatch(/queue for runner .* is full \(2 calls\); nothing was queued/);
  });

  it("cancels a pending call: the runner is told, the sender gets call_cancelled", async () => {
    const { runner, key } = await registered("cancel");
    const { tunnel } = await connectRunner(runner, key);
    const reply = consoleRun(runner, "sleep 100");
    const call = await tunnel.next();
    expect((await api("DELETE", `/api/calls/${String(call.id)}`)).status).toBe(200);
    expect(await tunnel.next()).toEqual({ type: "cancel", id: call.id });
    expect(await reply).toMatch(/cancelled/);
    tunnel.socket.close(1000);
  });

  it("carries 1,000 concurrent calls over one socket, each with its own result (acceptance 6)", async () => {
    const { runner, key } = await registered("thousand");
    const { tunnel } = await connectRunner(runner, key);
    const answers = Array.from({ length: 1000 }, (_, n) =>
      submitCall(env, {
        runner,
        session: "main",
        request: { tool: "exec", args: { command: `echo ${n}` } },
        timeoutMs: 30_000,
        replyTo: null,
        label: `call ${n}`,
        waitMs: 60_000,
      }),
    );
    const calls: Frame[] = [];
    while (calls.length < 1000) calls.push(await tunnel.next());
    expect(new Set(calls.map((c) => c.id)).size).toBe(1000);
    tunnel.send({ type: "ack", seq: Math.max(...calls.map((c) => Number(c.seq))) });
    // Answer in reverse order: results find their callers by id, not by position.
    calls.reverse().forEach((call, index) => {
      const command = (call.request as { args: { command: string } }).args.command;
      tunnel.send({ type: "result", seq: index + 1, id: call.id, outcome: { ok: true, output: execOutput(`result of ${command}`) } });
    });
    const results = await Promise.all(answers);
    results.forEach((answer, n) =>
      expect(answer).toEqual({ status: "done", outcome: { ok: true, output: execOutput(`result of echo ${n}`) } }),
    );
    tunnel.socket.close(1000);
  }, 60_000);

  it("gives a call queued behind its session's earlier calls a deadline that starts where theirs ends", async () => {
    // The runner runs one session's calls in order: 3 calls of 2 s sent at once end at 7, 14 and 21 s at the
    // latest (2 s each plus 5 s of grace), not all at 7 s — else a long queue times out calls that never got a turn.
    const { runner, key } = await registered("chained");
    const submit = (session: string, n: number) =>
      submitCall(env, {
        runner,
        session,
        request: { tool: "exec", args: { command: `echo ${n}` } },
        timeoutMs: 2_000,
        replyTo: null,
        label: `call ${n}`,
        waitMs: 1,
      });
    for (const [session, n] of [
      ["a", 1],
      ["a", 2],
      ["b", 3],
      ["a", 4],
    ] as const)
      await submit(session, n);
    const { tunnel } = await connectRunner(runner, key);
    for (let n = 0; n < 4; n++) await tunnel.next();
    const rows = await runInDurableObject(hubStub(env, runner), (_instance, state) =>
      state.storage.sql
        .exec<{ session: string; sent_at: number; deadline_at: number }>("SELECT session, sent_at, deadline_at FROM outbox ORDER BY seq")
        .toArray(),
    );
    const [a1, a2, b3, a4] = rows.map((row) => row.deadline_at - row.sent_at);
    expect(a1).toBeGreaterThanOrEqual(7_000);
    expect(a1).toBeLessThan(7_500);
    expect(a2! - a1!).toBeGreaterThanOrEqual(6_900);
    expect(a4! - a2!).toBeGreaterThanOrEqual(6_900);
    expect(b3).toBeLessThan(7_500); // another session does not queue behind session "a"
    tunnel.socket.close(1000);
  });
});
