import { describe, expect, it } from "vitest";
import { GateHarness, groupUpdate } from "./gate-harness.js";
import { readError } from "../support/read-json.js";
import { newBotId, newGroupId, newUserId } from "./test-ids.js";

// The session a chat message gets, as /whoami reports it, through the real Gatekeeper (no runner needed).
const OWNER = newUserId();
const ALICE_PHONE = newUserId();
const ALICE_LAPTOP = newUserId();
const BOB = newUserId();
const GROUP = newGroupId();

function sessionIn(reply: string | undefined): string | undefined {
  return /^Session: (.+)$/m.exec(reply ?? "")?.[1];
}

describe("sessions by dmScope and identityLinks", () => {
  const people = [ALICE_PHONE, ALICE_LAPTOP, BOB].map(String);
  const access = (sessions: unknown) => ({
    dmPolicy: "allowlist",
    allowFrom: people,
    roles: { [ALICE_PHONE]: "trusted", [ALICE_LAPTOP]: "trusted", [BOB]: "limited" },
    groups: { allowChats: [String(GROUP)], allowFrom: people, requireMention: false },
    sessions,
  });

  async function whoami(gate: GateHarness, from: number, chat: number = from): Promise<string | undefined> {
    if (chat === from) await gate.dm(from, "/whoami");
    else {
      await gate.post(groupUpdate(from, chat, "/whoami"));
      await gate.settle();
    }
    return sessionIn((await gate.messagesTo(chat)).at(-1));
  }

  it("per-peer with a link: one person's two accounts share a session; others and groups do not", async () => {
    const gate = new GateHarness(
      newBotId(),
      OWNER,
      access({ dmScope: "per-peer", identityLinks: { alice: [`telegram:${ALICE_PHONE}`, `telegram:${ALICE_LAPTOP}`] } }),
    );
    expect(await whoami(gate, ALICE_PHONE)).toBe("dm:link:alice");
    expect(await whoami(gate, ALICE_LAPTOP)).toBe("dm:link:alice");
    expect(await whoami(gate, BOB)).toBe(`dm:telegram:${BOB}`);
    expect(await whoami(gate, OWNER)).toBe(`dm:telegram:${OWNER}`);
    // A group is its own session, whoever speaks in it — the owner included.
    expect(await whoami(gate, ALICE_PHONE, GROUP)).toBe(`group:telegram:${GROUP}`);
    expect(await whoami(gate, OWNER, GROUP)).toBe(`group:telegram:${GROUP}`);
  });

  it('main (default): only the owner\'s DMs are "main"; a group never is', async () => {
    const gate = new GateHarness(newBotId(), OWNER, access(undefined));
    expect(await whoami(gate, OWNER)).toBe("main");
    expect(await whoami(gate, ALICE_PHONE)).toBe(`dm:telegram:${ALICE_PHONE}`);
    expect(await whoami(gate, OWNER, GROUP)).toBe(`group:telegram:${GROUP}`);
  });

  it("a limited sender's /help and /whoami offer no runner command", async () => {
    const gate = new GateHarness(newBotId(), OWNER, access(undefined));
    await gate.dm(BOB, "/help");
    await gate.dm(BOB, "/whoami");
    const [help, who] = (await gate.messagesTo(BOB)).slice(-2);
    expect(help).toMatch(/^Drawbridge commands:/);
    expect(help).not.toMatch(/\/run|\/read|\/write|\/ls/);
    expect(help).toContain("/status");
    expect(who).toContain("Role: limited");
    expect(who).toContain("Tools you may use: none");
    await gate.dm(ALICE_PHONE, "/help");
    expect((await gate.messagesTo(ALICE_PHONE)).at(-1)).toMatch(/\/run <command>[\s\S]*\/read <path>[\s\S]*\/write <path>[\s\S]*\/ls/);
  });

  it("refuses an id linked to two people, naming the key", async () => {
    const gate = new GateHarness(newBotId(), OWNER, access({ identityLinks: { a: [`telegram:${BOB}`], b: [`telegram:${BOB}`] } }));
    const response = await gate.api("GET", "/api/pairing/telegram");
    expect(response.status).toBe(503);
    expect((await readError(response)).message).toContain("DRAWBRIDGE_ACCESS.sessions.identityLinks.b");
  });
});
