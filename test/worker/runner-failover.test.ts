import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newCallId } from "../../worker/tunnel/submit-call.js";
import { markMoved, rememberRoute } from "../../worker/tunnel/failover-store.js";
import * as outbox from "../../worker/tunnel/outbox.js";
import type { RunnerHub, SubmitResult } from "../../worker/tunnel/runner-hub.js";
import { listApprovals, ScriptedRunner } from "./approval-harness.js";
import { GateHarness } from "./gate-harness.js";
import { api, connectRunner, execOutput, newKey, register, type Frame } from "./tunnel-harness.js";
import { newBotId, newRunnerName, newUserId } from "./test-ids.js";

// Runner failover (issue 18): calls never sent to an offline runner move to the next one of their route.
const OWNER = newUserId();
const TRUSTED = newUserId();
const AFTER_MS = 1_000;

function hub(runner: string): DurableObjectStub<RunnerHub> {
  return env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(runner));
}

async function runnerNamed(prefix: string, connect = true) {
  const name = newRunnerName(prefix);
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const runner = connect ? new ScriptedRunner((await connectRunner(name, key)).tunnel) : null;
  return { name, key, runner };
}

/** A call submitted straight to `runner`'s hub, as submitCall does, with `fallbacks` as its route's next runners. */
function submit(runner: string, fallbacks: string[], session: string, command: string, waitMs = 50): Promise<SubmitResult> {
  return hub(runner).submit({
    callId: newCallId(runner),
    runner,
    session,
    request: { tool: "exec", args: { command } },
    timeoutMs: 30_000,
    replyTo: null,
    label: `/run ${command}`,
    waitMs,
    fallbacks,
    failoverAfterMs: AFTER_MS,
  });
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function nextCall(runner: ScriptedRunner): Promise<Frame> {
  let frame = await runner.tunnel.next();
  while (frame.type === "ack") frame = await runner.tunnel.next();
  return frame;
}

describe("runner failover", () => {
  it("moves calls never sent to an offline runner to the next online one, once; a call it had stays", async () => {
    const home = await runnerNamed("fo-home");
    const office = await runnerNamed("fo-office");
    if (!home.runner || !office.runner) throw new Error("not connected");

    // A reaches home, which journals it (ack) and goes away before answering.
    const sent = submit(home.name, [office.name], "main", "echo A");
    const a = await nextCall(home.runner);
    home.runner.tunnel.send({ type: "ack", seq: a.seq });
    expect(await sent).toMatchObject({ status: "running" });
    home.runner.tunnel.socket.close(1000, "power cut");
    await until(async () => !(await hub(home.name).status(home.name)).connected, "home offline");

    // B and C (another session) and E (A's session) queue on home: it has not been offline long enough yet.
    const b = await submit(home.name, [office.name], "dm:telegram:42", "echo B");
    const c = await submit(home.name, [office.name], "dm:telegram:42", "echo C");
    const e = await submit(home.name, [office.name], "main", "echo E");
    for (const answer of [b, c, e]) expect(answer).toMatchObject({ status: "queued" });
    expect(b.movedTo).toBeUndefined();

    // Once it has, the alarm moves B and C to office, in order; they run there.
    const first = await office.runner.answerNext();
    const second = await office.runner.answerNext();
    expect([first.id, second.id]).toEqual([b.callId, c.callId]);

    // The sender is told which runner served: the call view names office and where it came from.
    const view = await (await api("GET", `/api/calls/${b.callId ?? ""}`)).json();
    expect(view).toMatchObject({ runner: office.name, movedFrom: home.name });
    await until(
      async () => (await (await api("GET", `/api/calls/${c.callId ?? ""}`)).json<{ state: string }>()).state === "done",
      "C done",
    );
    // A (sent: maybe in home's journal) and E (queued behind A in its session) stay with home.
    expect(await (await api("GET", `/api/calls/${a.id as string}`)).json()).toMatchObject({ runner: home.name, state: "pending" });
    expect(await (await api("GET", `/api/calls/${e.callId ?? ""}`)).json()).toMatchObject({ runner: home.name, queued: true });

    // A new call goes straight on: the chat reply says office ran it. Office's next call is it, never A or E.
    const gate = new GateHarness(newBotId(), OWNER, {
      dmPolicy: "allowlist",
      allowFrom: [String(TRUSTED)],
      roles: { [TRUSTED]: "trusted" },
      runners: { tools: { ls: [home.name, office.name] }, failoverAfterSeconds: 1 },
    });
    Object.assign(gate.env, { DEFAULT_RUNNER: home.name });
    const [listed] = await Promise.all([office.runner.answerNext(), gate.dm(TRUSTED, "/ls")]);
    expect(listed.request).toMatchObject({ tool: "ls" });
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toMatch(new RegExp(`^🔀 Ran on runner "${office.name}"`));

    // /status names the runner the sender's tools fail over to, as well as the first.
    await gate.dm(TRUSTED, "/status");
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toContain(`Home runner ${office.name}: 🟢 online`);

    // Each move is audited on the hub the calls left.
    const audit = (await hub(home.name).status(home.name)).recentAudit.filter((event) => event.event === "runner.failover");
    expect(audit.map((event) => event.detail).join("\n")).toContain(`moved to runner "${office.name}"`);
  });

  it("a move stopped midway is finished by the alarm, and never doubles the call", async () => {
    const home = await runnerNamed("fo-crash-home", false); // never connected: offline as long as can be
    const office = await runnerNamed("fo-crash-office");
    if (!office.runner) throw new Error("not connected");
    const id = newCallId(home.name);

    // Stopped right after taking X off home's queue, before office heard of it.
    await runInDurableObject(hub(home.name), (_hub: RunnerHub, state) => {
      const { sql } = state.storage;
      const call = { id, session: "main", request: { tool: "exec" as const, args: { command: "echo X" } }, timeoutMs: 30_000 };
      outbox.enqueue(sql, { ...call, replyTo: null, label: "/run echo X", expiresAt: Date.now() + 3_600_000 });
      rememberRoute(sql, id, [office.name], AFTER_MS);
      expect(markMoved(sql, id, office.name, Date.now())).toBe(true);
      // Taken off the queue: a drain would not send it to home.
      expect(outbox.unacknowledged(sql).map((row) => row.id)).not.toContain(id);
    });
    const alarm = () => runInDurableObject(hub(home.name), (instance: RunnerHub) => instance.alarm());
    await alarm();
    expect((await office.runner.answerNext()).id).toBe(id);

    // Stopped after office took it, before home confirmed: the retry finds it held, and adds nothing.
    await runInDurableObject(hub(home.name), (_hub: RunnerHub, state) => {
      state.storage.sql.exec("UPDATE call_failover SET confirmed_at = NULL WHERE id = ?", id);
    });
    await alarm();
    // Handed over once more by hand: office answers it holds X, and adds no second copy.
    const x = { id, session: "main", request: { tool: "exec" as const, args: { command: "echo X" } }, timeoutMs: 30_000, replyTo: null };
    const again = await hub(office.name).adoptCalls({
      from: home.name,
      calls: [{ ...x, label: "/run echo X", expiresAt: Date.now() + 3_600_000, fallbacks: [], failoverAfterMs: AFTER_MS }],
      waitFor: null,
      waitMs: 0,
    });
    expect(again).toMatchObject({ held: [id], refused: [] });
    await runInDurableObject(hub(office.name), (_hub: RunnerHub, state) => {
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM outbox WHERE id = ?", id).one().n).toBe(1);
    });
    await runInDurableObject(hub(home.name), (_hub: RunnerHub, state) => {
      const row = state.storage.sql.exec<{ confirmed_at: number | null }>("SELECT confirmed_at FROM call_failover WHERE id = ?", id).one();
      expect(row.confirmed_at).not.toBeNull();
    });
    // Barrier: office's next call is a new one, not X again.
    const marker = submit(office.name, [], "main", "echo marker");
    expect((await office.runner.answerNext()).request).toMatchObject({ args: { command: "echo marker" } });
    await marker;
    // And the call view, asked where the id points (home), is office's.
    expect(await (await api("GET", `/api/calls/${id}`)).json()).toMatchObject({ runner: office.name, state: "done", movedFrom: home.name });
  });

  it("a call the next runner refuses (its queue full) waits for its own runner again, never lost", async () => {
    const home = await runnerNamed("fo-full-home", false);
    const office = await runnerNamed("fo-full-office");
    if (!office.runner) throw new Error("not connected");
    expect((await api("PATCH", `/api/runners/${office.name}`, { queueLimit: 1 })).status).toBe(200);
    const busy = submit(office.name, [], "main", "echo busy");
    await nextCall(office.runner); // office holds one call and does not answer: its queue is full

    const refused = await submit(home.name, [office.name], "main", "echo Y");
    expect(refused).toMatchObject({ status: "queued" });
    expect(refused.movedTo).toBeUndefined();
    expect(await (await api("GET", `/api/calls/${refused.callId ?? ""}`)).json()).toMatchObject({ runner: home.name, queued: true });
    await busy;
  });

  it("a call the owner approves fails over too", async () => {
    const home = await runnerNamed("fo-ask-home", false); // never connected
    const office = await runnerNamed("fo-ask-office");
    if (!office.runner) throw new Error("not connected");
    const gate = new GateHarness(newBotId(), OWNER, {
      dmPolicy: "allowlist",
      allowFrom: [String(TRUSTED)],
      roles: { [TRUSTED]: "trusted" },
      runners: { tools: { exec: [home.name, office.name] }, failoverAfterSeconds: 1 },
    });
    Object.assign(gate.env, { DEFAULT_RUNNER: home.name });
    await gate.dm(TRUSTED, "/run echo approved-elsewhere");
    const asked = (await listApprovals(gate)).find((approval) => approval.sender === `telegram:${TRUSTED}`);
    const [run] = await Promise.all([
      office.runner.answerNext(),
      gate.api("POST", `/api/approvals/${asked?.id ?? ""}`, { decision: "allow" }),
    ]);
    expect(run.request).toMatchObject({ tool: "exec", args: { command: expect.stringContaining("approved-elsewhere") } });
    expect(String(run.id).startsWith(`${home.name}_`)).toBe(true);
  });

  it("once the first runner is back, a session whose moved calls still run elsewhere keeps sending there until they are done", async () => {
    const home = await runnerNamed("fo-back-home", false); // offline as long as can be
    const office = await runnerNamed("fo-back-office");
    if (!office.runner) throw new Error("not connected");
    const b = await submit(home.name, [office.name], "dm:telegram:7", "echo B");
    expect(b.movedTo).toBe(office.name);
    const bFrame = await nextCall(office.runner); // office has B and does not answer yet

    const back = new ScriptedRunner((await connectRunner(home.name, home.key)).tunnel);
    // C (B's session) follows B to office; D (another session) runs at home again.
    const c = await submit(home.name, [office.name], "dm:telegram:7", "echo C");
    expect(c.movedTo).toBe(office.name);
    const cFrame = await nextCall(office.runner);
    expect(cFrame.id).toBe(c.callId);
    const [d] = await Promise.all([back.answerNext(), submit(home.name, [office.name], "dm:telegram:8", "echo D")]);
    expect(d.request).toMatchObject({ args: { command: "echo D" } });

    // Once office has finished them, B's session is home's again.
    for (const [n, frame] of [bFrame, cFrame].entries()) {
      office.runner.tunnel.send({ type: "ack", seq: frame.seq });
      office.runner.tunnel.send({ type: "result", seq: n + 1, id: frame.id, outcome: { ok: true, output: execOutput("ok") } });
    }
    await until(
      async () => (await (await api("GET", `/api/calls/${c.callId ?? ""}`)).json<{ state: string }>()).state === "done",
      "C done",
    );
    const [e] = await Promise.all([back.answerNext(), submit(home.name, [office.name], "dm:telegram:7", "echo E")]);
    expect(e.request).toMatchObject({ args: { command: "echo E" } });
  });
});
