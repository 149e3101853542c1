import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Session } from "../../worker/approvals/session.js";
import { approvalPrompts, expectNothingElseRan, gateWithRunner, listApprovals } from "./approval-harness.js";
import { GateHarness } from "./gate-harness.js";
import { AuditList } from "../../shared/admin-api.js";
import { readError, readJson } from "../support/read-json.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const FLOODER = newUserId();
const generous = { perMinute: 10_000, burst: 1_000 };
// Rate limits out of the way, so only the approval cap stands between a flood and the owner.
const access = {
  dmPolicy: "allowlist",
  allowFrom: [String(FLOODER)],
  roles: { [String(FLOODER)]: "trusted" },
  rateLimits: { message: generous, tool: generous, channel: generous },
};
const FULL = /^⏳ Too many requests waiting for the owner's approval \(5\); this one was not sent to them and nothing ran\./;

describe("pending approvals are capped per session (approvals hardening 2)", async () => {
  const { gate, runner } = await gateWithRunner(newBotId(), OWNER, access);

  async function storedRows(session: string): Promise<number> {
    const stub = gate.env.SESSION.get(gate.env.SESSION.idFromName(session));
    return runInDurableObject(stub, (_instance: Session, state) => state.storage.sql.exec("SELECT id FROM approvals").toArray().length);
  }

  it("a flood of 20 asks: 5 reach the owner, 15 are refused to the sender, audited, and never stored", async () => {
    const promptsBefore = (await approvalPrompts(gate)).length;
    const ownerMessagesBefore = (await gate.messagesTo(OWNER)).length;
    for (let n = 1; n <= 20; n++) await gate.dm(FLOODER, `/run echo flood-${n}`);

    const prompts = (await approvalPrompts(gate)).slice(promptsBefore);
    expect(prompts).toHaveLength(5);
    expect((await gate.messagesTo(OWNER)).length - ownerMessagesBefore).toBe(5);
    const replies = await gate.messagesTo(FLOODER);
    expect(replies.filter((reply) => reply.startsWith("🔐 Needs the owner's approval"))).toHaveLength(5);
    expect(replies.filter((reply) => FULL.test(reply))).toHaveLength(15);
    // The first five are the ones waiting; the rest were refused, not queued.
    expect(prompts.map((prompt) => /Command: (.*)$/m.exec(prompt.text)?.[1])).toEqual([1, 2, 3, 4, 5].map((n) => `'echo' 'flood-${n}'`));

    const pending = (await listApprovals(gate)).filter((approval) => approval.sender === `telegram:${FLOODER}`);
    expect(pending).toHaveLength(5);
    expect(await storedRows(pending[0]!.session)).toBe(5);
    const audit = (await readJson(await gate.api("GET", "/api/audit?limit=500"), AuditList)).events;
    const full = audit.filter((event) => event.kind === "approval.cap_full" && event.actor === `telegram:${FLOODER}`);
    expect(full).toHaveLength(15);
    expect(full[0]?.detail).toMatchObject({ pending: 5, cap: 5, tool: "exec" });
    await expectNothingElseRan(gate, runner, "barrier-after-flood");
  });

  it("a decision frees a place: the next ask reaches the owner again, and the cap still holds after it", async () => {
    const waiting = (await listApprovals(gate)).filter((approval) => approval.sender === `telegram:${FLOODER}`);
    expect(waiting).toHaveLength(5);
    expect((await gate.api("POST", `/api/approvals/${waiting[0]!.id}`, { decision: "deny" })).status).toBe(200);

    const promptsBefore = (await approvalPrompts(gate)).length;
    await gate.dm(FLOODER, "/run echo after-deny");
    await gate.dm(FLOODER, "/run echo over-again");
    expect((await approvalPrompts(gate)).slice(promptsBefore)).toHaveLength(1);
    expect((await gate.messagesTo(FLOODER)).at(-1)).toMatch(FULL);
    expect(await storedRows(waiting[0]!.session)).toBe(6); // 5 pending + the denied one, kept a day for "already denied"
    expect((await listApprovals(gate)).filter((approval) => approval.sender === `telegram:${FLOODER}`)).toHaveLength(5);
  });
});

describe("tools.maxPendingApprovals", () => {
  it("is configurable, and a bad value refuses service naming the key", async () => {
    const botId = newBotId();
    for (const bad of [0, 51, 2.5, "5"]) {
      const gate = new GateHarness(botId, OWNER, { tools: { maxPendingApprovals: bad } });
      const response = await gate.api("GET", "/api/allow/telegram");
      expect(response.status).toBe(503);
      expect((await readError(response)).message).toMatch(/^DRAWBRIDGE_ACCESS\.tools\.maxPendingApprovals is invalid/);
    }
    const fine = new GateHarness(botId, OWNER, { tools: { maxPendingApprovals: 2 } });
    expect((await fine.api("GET", "/api/allow/telegram")).status).toBe(200);
  });
});
