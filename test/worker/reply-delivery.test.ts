import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { Gatekeeper } from "../../worker/gatekeeper/gatekeeper.js";
import { GateHarness, type SentCall, SentCalls } from "./gate-harness.js";
import { AuditList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { newBotId, newUserId } from "./test-ids.js";

// A Telegram outage while the Gatekeeper answers: the reply is kept and sent later, in order, or
// given up with an audit event — never dropped without a trace.
const OWNER = newUserId();
const [OWNER_2, OWNER_3, OWNER_4] = [newUserId(), newUserId(), newUserId()];

/** Telegram fails the next `count` replies to `chatId` (the Gatekeeper sends with the Worker's bot token). */
async function outage(chatId: number, errorCode: number, count: number, retryAfter?: number): Promise<void> {
  const body = JSON.stringify({
    token: env.TELEGRAM_BOT_TOKEN,
    method: "sendMessage",
    chatId: String(chatId),
    count,
    errorCode,
    retryAfter,
  });
  await fetch(`${inject("botApiRoot")}/__standin/outage`, { method: "POST", body });
}

async function refusedTo(chatId: number): Promise<SentCall[]> {
  const calls = await readJson(await fetch(`${inject("botApiRoot")}/__standin/refused`), SentCalls);
  return calls.filter((call) => String(call.params.chat_id) === String(chatId));
}

const waiting = (gate: GateHarness) => runInDurableObject(gate.gatekeeper, (instance: Gatekeeper) => instance.undeliveredReplies());

/** Moves business time on and runs the alarm as if it fired (it may already have fired by itself). */
async function later(gate: GateHarness, ms: number): Promise<void> {
  await gate.advance(ms);
  await runDurableObjectAlarm(gate.gatekeeper);
}

async function auditOf(gate: GateHarness, kind: string): Promise<Array<{ actor: string; detail: Record<string, unknown> }>> {
  const { events } = await readJson(await gate.api("GET", "/api/audit?limit=200"), AuditList);
  return events.filter((event) => event.kind === kind);
}

describe("replies survive a Telegram outage", () => {
  it("keeps a reply refused with 429, sends it after retry_after, and keeps the chat's later replies behind it", async () => {
    const gate = new GateHarness(newBotId(), OWNER);
    await outage(OWNER, 429, 1, 60);
    await gate.dm(OWNER, "/help");
    expect(await refusedTo(OWNER)).toHaveLength(1);
    expect(await gate.messagesTo(OWNER)).toEqual([]);

    // The next answer must not overtake the one still waiting.
    await gate.dm(OWNER, "/whoami");
    expect(await gate.messagesTo(OWNER)).toEqual([]);
    expect(await waiting(gate)).toBe(2);

    await later(gate, 30_000); // before retry_after: nothing is sent
    expect(await gate.messagesTo(OWNER)).toEqual([]);
    await later(gate, 31_000);
    const messages = await gate.messagesTo(OWNER);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^Drawbridge commands:/);
    expect(messages[1]).toContain("Role: owner");
    expect(await waiting(gate)).toBe(0);
  });

  it("retries after a 502 and a dropped connection, and delivers exactly once", async () => {
    const gate = new GateHarness(newBotId(), OWNER_2);
    await outage(OWNER_2, 502, 1);
    await outage(OWNER_2, 0, 1);
    await gate.dm(OWNER_2, "/whoami");
    await later(gate, 3_000);
    await later(gate, 5_000);
    await later(gate, 10_000);
    expect(await refusedTo(OWNER_2)).toHaveLength(2);
    const answers = (await gate.messagesTo(OWNER_2)).filter((text) => text.includes("Role: owner"));
    expect(answers).toHaveLength(1);
    expect(await waiting(gate)).toBe(0);
  });

  it("does not retry what Telegram refuses for good (the user blocked the bot), and audits it", async () => {
    const gate = new GateHarness(newBotId(), OWNER_3);
    await outage(OWNER_3, 403, 1);
    await gate.dm(OWNER_3, "/whoami");
    expect(await waiting(gate)).toBe(0);
    await later(gate, 60_000);
    expect(await gate.messagesTo(OWNER_3)).toEqual([]);
    const failed = await auditOf(gate, "reply.failed");
    expect(failed.some((event) => event.actor === `telegram:${OWNER_3}` && String(event.detail.detail).startsWith("403"))).toBe(true);
  });

  it("gives up after a day of failures, audits it, and keeps nothing", async () => {
    const gate = new GateHarness(newBotId(), OWNER_4);
    await outage(OWNER_4, 502, 1_000);
    await gate.dm(OWNER_4, "/whoami");
    expect(await waiting(gate)).toBe(1);
    for (let hour = 0; hour < 25; hour++) await later(gate, 60 * 60_000);
    expect(await waiting(gate)).toBe(0);
    expect(await gate.messagesTo(OWNER_4)).toEqual([]);
    const givenUp = await auditOf(gate, "reply.given_up");
    expect(givenUp.some((event) => event.actor === `telegram:${OWNER_4}`)).toBe(true);
  });
});
