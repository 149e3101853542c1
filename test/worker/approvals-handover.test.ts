import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Session } from "../../worker/approvals/session.js";
import type { submitCall } from "../../worker/tunnel/submit-call.js";
import { approvalPrompts, expectNothingElseRan, gateWithRunner, listApprovals } from "./approval-harness.js";
import { AuditList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { ApprovalDecided } from "../../shared/admin-api.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const OUTAGE = newUserId();
const CRASH = newUserId();
const GIVE_UP = newUserId();
const senders = [OUTAGE, CRASH, GIVE_UP].map(String);
const access = { dmPolicy: "allowlist", allowFrom: senders, roles: Object.fromEntries(senders.map((id) => [id, "trusted"])) };
type Submit = typeof submitCall;

// An Allow is recorded with its call id before anything is submitted; the alarm hands over whatever is left.
describe("an allowed call survives a failed or interrupted hand-over (approvals hardening 3)", async () => {
  const { gate, runner } = await gateWithRunner(newBotId(), OWNER, access);

  /** Asks as `senderId`, and makes that session's submit behave as `wrap` says. */
  async function askWith(senderId: number, command: string, wrap: (real: Submit) => Submit) {
    await gate.dm(senderId, `/run ${command}`);
    const id = (await approvalPrompts(gate)).at(-1)!.id;
    const session = (await listApprovals(gate)).find((approval) => approval.id === id)!.session;
    const stub = gate.env.SESSION.get(gate.env.SESSION.idFromName(session));
    await runInDurableObject(stub, (instance: Session) => {
      instance.submit = wrap(instance.submit);
    });
    return { id, stub, heard: async () => (await gate.messagesTo(senderId)).filter((text) => text.startsWith("✅ The owner allowed")) };
  }
  /** Runs the session's alarm as if `ms` had passed (retries are in business time). */
  async function later(stub: DurableObjectStub<Session>, ms: number): Promise<boolean> {
    await runInDurableObject(stub, (instance: Session) => {
      instance.clock = () => Date.now() + ms;
    });
    return runDurableObjectAlarm(stub);
  }
  const allow = async (id: string) =>
    await readJson(await gate.api("POST", `/api/approvals/${id}`, { decision: "allow" }), ApprovalDecided);

  it("the hub is unreachable once: nothing runs or is said yet; the alarm's retry runs it once and the sender gets the output once", async () => {
    let failures = 0;
    const { id, stub, heard } = await askWith(OUTAGE, "echo outage", (real) => async (env, call) => {
      if (failures++ === 0) throw new Error("simulated: the runner hub is unreachable");
      return real(env, call);
    });
    expect((await allow(id)).result).toMatch(/^⚠️ Handing the call to the home runner failed; it is retried shortly \(attempt 1 of 5\)/);
    expect(await heard()).toEqual([]);
    expect(runner.executed).not.toContain("'echo' 'outage'");

    const [call] = await Promise.all([runner.answerNext(), later(stub, 60_000)]);
    expect((call.request as { args: { command: string } }).args.command).toBe("'echo' 'outage'");
    expect(await heard()).toEqual(["✅ The owner allowed /run echo outage.\n\nran: 'echo' 'outage'"]);
    // Handed over: a later alarm has nothing to submit.
    await later(stub, 10 * 60_000);
    await expectNothingElseRan(gate, runner, "barrier-after-outage");
    expect(runner.executed.filter((command) => command === "'echo' 'outage'")).toHaveLength(1);
    expect(await heard()).toHaveLength(1);
  });

  it("a crash after the hub took the call but before the session recorded it: the retry finds the same call id, nothing runs twice", async () => {
    let crashes = 0;
    const { id, stub, heard } = await askWith(CRASH, "echo crash", (real) => async (env, call) => {
      const answer = await real(env, call);
      if (crashes++ === 0) throw new Error("simulated: the session died before recording the hand-over");
      return answer;
    });
    const [first] = await Promise.all([runner.answerNext(), allow(id)]);
    expect(first.type).toBe("call");
    expect(await heard()).toEqual([]);

    // The retry submits the same call id: the hub answers with the stored result instead of sending it again.
    expect(await later(stub, 60_000)).toBe(true);
    expect(await heard()).toEqual(["✅ The owner allowed /run echo crash.\n\nran: 'echo' 'crash'"]);
    await expectNothingElseRan(gate, runner, "barrier-after-crash");
    expect(runner.executed.filter((command) => command === "'echo' 'crash'")).toHaveLength(1);
  });

  it("a hand-over that keeps failing gives up after 5 attempts: the sender is told it may not have run, and it is audited", async () => {
    const { id, stub, heard } = await askWith(
      GIVE_UP,
      "echo never-reaches",
      () => () => Promise.reject(new Error("simulated: the runner hub stays unreachable")),
    );
    await allow(id);
    for (let attempt = 2; attempt <= 5; attempt++) await later(stub, attempt * 60 * 60_000);
    expect(await heard()).toEqual([
      "✅ The owner allowed /run echo never-reaches.\n\n⚠️ Handing the call to the home runner failed; it may not have run. Check its effects before asking again.",
    ]);
    expect(await later(stub, 24 * 60 * 60_000)).toBe(false);
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=100"), AuditList);
    expect(audit.events.filter((event) => event.kind === "approval.handover_failed" && event.detail.id === id)).toHaveLength(1);
    await expectNothingElseRan(gate, runner, "barrier-after-give-up");
  });
});
