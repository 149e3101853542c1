import { realpath } from "node:fs/promises";
import { everySandboxHardened } from "../runner/support/hardening-watch.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countMarkers, SandboxExecutions } from "../support/sandbox-executions.js";
import { OWNER_ID, TestStack, textUpdate } from "../support/test-stack.js";
import { StatusList } from "../../shared/admin-api.js";

// Its own stack: the runner is stopped and restarted, and the queue settings changed.
const stack = new TestStack();
// Every sandbox container this file's runner creates passes the hardening check (issue 5, acceptance 1).
everySandboxHardened([stack.runnerName], async () => [await realpath(stack.privateWorkspaces)]);
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop(), 60_000);

type CallView = { state: string; outcome: { ok: boolean; output?: { stdout: string }; error?: { code: string; message: string } } | null };

async function finished(id: string, timeoutMs = 120_000): Promise<CallView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = (await stack.api("GET", `/api/calls/${id}`)).body as CallView;
    if (call.state === "done") return call;
    if (Date.now() > deadline) throw new Error(`call ${id} not done: ${JSON.stringify(call)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function callId(reply: string | null): string {
  const id = /Call ([a-z0-9-]+_[0-9a-f]{32})/.exec(reply ?? "")?.[1];
  if (!id) throw new Error(`no call id in ${JSON.stringify(reply)}`);
  return id;
}

describe("runner offline: the durable outbox (acceptance 3)", () => {
  it("queues 100 /run calls, runs each exactly once and in order when the runner starts; reports the expired one", async () => {
    await stack.stopRunner();
    const executions = await SandboxExecutions.watch(stack.runnerName);

    // One call waits with a 1-second TTL and is reported expired, never silently dropped.
    expect((await stack.api("PATCH", `/api/runners/${stack.runnerName}`, { queueTtlSeconds: 1 })).status).toBe(200);
    const expiredId = callId((await stack.admin().sendMessage("/run echo expired-marker")).reply);
    const expired = await finished(expiredId, 30_000);
    expect(expired.outcome).toMatchObject({ ok: false, error: { code: "call_expired", message: expect.stringMatching(/never ran/) } });
    expect((await stack.api("PATCH", `/api/runners/${stack.runnerName}`, { queueTtlSeconds: 3600 })).status).toBe(200);

    // 100 calls while offline: each acknowledged to the sender as queued.
    const ids: string[] = [];
    for (let n = 0; n < 100; n++) {
      const { reply } = await stack.admin().sendMessage(`/run echo q-${n}-done`);
      expect(reply).toMatch(/^⏳ Queued — the home runner is offline/);
      ids.push(callId(reply));
    }
    // A Telegram sender is told in the chat, and gets the result there later.
    const before = stack.botApi.sent().length;
    await stack.postUpdate(textUpdate(OWNER_ID, "/run echo tg-late"));
    const notice = await stack.botApi.waitFor((call, i = stack.botApi.calls.indexOf(call)) => i >= before && call.method === "sendMessage");
    expect(String(notice.params.text)).toMatch(/Queued — the home runner is offline/);
    const status = await stack.read(StatusList, "GET", "/api/status");
    expect(status.runners.find((r) => r.runner === stack.runnerName)).toMatchObject({ connected: false, queueDepth: 101 });

    await stack.startRunner();
    for (const [n, id] of ids.entries()) {
      expect(await finished(id)).toMatchObject({ state: "done", outcome: { ok: true, output: { stdout: `q-${n}-done\n` } } });
    }
    const late = await stack.botApi.waitFor(
      (call) => call.method === "sendMessage" && String(call.params.text).includes("↩️ /run echo tg-late"),
      60_000,
    );
    expect(String(late.params.text)).toMatch(/tg-late$/);

    // Counted inside the sandbox (the engine's exec log): each exactly once, in queue order; the expired one never.
    const actions = await executions.settle((seen) => countMarkers(seen, /q-\d+-done/).order.length >= 100);
    executions.stop();
    const { counts, order } = countMarkers(actions, /q-\d+-done/);
    expect(order).toEqual(ids.map((_, n) => `q-${n}-done`));
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(actions.filter((action) => action.includes("expired-marker"))).toEqual([]);
  }, 300_000);
});
