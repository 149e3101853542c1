import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditList, StatusList } from "../../shared/admin-api.js";
import { countMarkers, SandboxExecutions } from "../support/sandbox-executions.js";
import { removeContainersOf, SecondRunner } from "../support/second-runner.js";
import { OWNER_ID, TestStack, textUpdate } from "../support/test-stack.js";

// Runner failover (issue 18, acceptance 4): two real runner processes, the first killed.
const stack = new TestStack();
const office = new SecondRunner(stack, `${stack.runnerName}-office`);
const FAILOVER_AFTER_SECONDS = 8;
stack.configure({
  vars: {
    DRAWBRIDGE_ACCESS: JSON.stringify({
      // Telegram and the console are two sessions, so a call stuck on home in one does not hold the other's back.
      sessions: { dmScope: "per-channel-peer" },
      runners: { tools: { exec: [stack.runnerName, office.name] }, failoverAfterSeconds: FAILOVER_AFTER_SECONDS },
    }),
  },
});
let home: SandboxExecutions;
let away: SandboxExecutions;
beforeAll(async () => {
  await stack.start();
  await office.start();
  home = await SandboxExecutions.watch(stack.runnerName);
  away = await SandboxExecutions.watch(office.name);
}, 180_000);
afterAll(async () => {
  home.stop();
  away.stop();
  await office.stop();
  await stack.stop();
  await removeContainersOf(stack.runnerName); // killed: it could not remove its own
}, 60_000);

type CallView = { state: string; runner: string; movedFrom?: string; outcome: { ok: boolean; output?: { stdout: string } } | null };

async function view(id: string): Promise<CallView> {
  return (await stack.api("GET", `/api/calls/${id}`)).body as CallView;
}

async function finished(id: string, timeoutMs = 120_000): Promise<CallView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await view(id);
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

describe("runner failover: the first runner killed (acceptance 4)", () => {
  it("runs queued calls once on the second runner; a call the first had before it died never runs there", async () => {
    // A reaches home and starts; then home dies without a word.
    await stack.postUpdate(textUpdate(OWNER_ID, "/run sleep 30; echo fo-a-marker"));
    await home.settle((seen) => seen.some((action) => action.includes("fo-a-marker")), 60_000);
    await stack.killRunner();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await stack.read(StatusList, "GET", "/api/status");
      if (status.runners.find((runner) => runner.runner === stack.runnerName)?.connected === false) break;
      if (Date.now() > deadline) throw new Error("the gateway never saw home go offline");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const offlineAt = Date.now();

    // B and C queue: home has not been offline long enough yet.
    const queued: string[] = [];
    for (const marker of ["fo-b-marker", "fo-c-marker"]) {
      const { reply } = await stack.admin().sendMessage(`/run echo ${marker}`);
      expect(reply).toMatch(/^⏳ Queued — the home runner is offline/);
      queued.push(callId(reply));
    }

    // After the failover time they run on office, each once, in order; the call view names office and home.
    for (const [n, id] of queued.entries()) {
      const call = await finished(id);
      expect(call).toMatchObject({ state: "done", runner: office.name, movedFrom: stack.runnerName, outcome: { ok: true } });
      expect(call.outcome?.output?.stdout).toBe(`fo-${"bc"[n]}-marker\n`);
    }
    const movedMs = Date.now() - offlineAt;
    // A new call goes straight to office, and the reply says so.
    const before = Date.now();
    const { reply } = await stack.admin().sendMessage("/run echo fo-d-marker");
    console.log(
      JSON.stringify({ failover: "runner-killed", afterSeconds: FAILOVER_AFTER_SECONDS, movedMs, directMs: Date.now() - before }),
    );
    expect(reply).toMatch(new RegExp(`^🔀 Ran on runner "${office.name}"`));
    expect(reply).toContain("fo-d-marker");

    // Counted in the sandboxes: B, C and D ran once each on office, never on home; A never on office.
    const seen = await away.settle((actions) => countMarkers(actions, /fo-[bcd]-marker/).order.length >= 3);
    const { counts, order } = countMarkers(seen, /fo-[a-d]-marker/);
    expect(order).toEqual(["fo-b-marker", "fo-c-marker", "fo-d-marker"]);
    expect([...counts.values()]).toEqual([1, 1, 1]);
    expect(countMarkers(home.actions, /fo-[bcd]-marker/).order).toEqual([]);

    // The failover is in the audit log.
    const audit = await stack.read(AuditList, "GET", "/api/audit?limit=50");
    expect(audit.events.some((event) => event.kind === "runner.failover" && String(event.detail.reason).includes(office.name))).toBe(true);
  }, 300_000);
});
