import { describe, expect, it } from "vitest";
import { GateHarness } from "./gate-harness.js";

const OWNER = 510_000_001;

describe("dmPolicy allowlist and disabled (acceptance 5)", () => {
  for (const [botId, dmPolicy] of [
    [710_001, "allowlist"],
    [710_002, "disabled"],
  ] as const) {
    it(`${dmPolicy}: a stranger's DMs produce zero Bot API calls, and are audited`, async () => {
      const gate = new GateHarness(botId, OWNER, { dmPolicy, allowFrom: ["610000009"] });
      const stranger = 610_000_000 + botId;
      const before = (await gate.allCalls()).length;
      for (const text of ["hi", "/run id", "/help"]) expect((await gate.dm(stranger, text)).status).toBe(200);
      expect((await gate.allCalls()).length).toBe(before);
      expect(await (await gate.api("GET", "/api/pairing/telegram")).json()).toEqual({ pending: [] });
      const audit = await (await gate.api("GET", "/api/audit?limit=100")).json<{ events: Array<{ kind: string; actor: string }> }>();
      expect(audit.events.filter((event) => event.actor === `telegram:${stranger}` && event.kind === "access.denied")).toHaveLength(3);
      // The owner is still served.
      await gate.dm(OWNER, "/help");
      expect((await gate.messagesTo(OWNER)).at(-1)).toContain("/run <command>");
    });
  }

  it("allowlist: an allowlisted id is served with the default role", async () => {
    const gate = new GateHarness(710_003, OWNER, { dmPolicy: "allowlist", allowFrom: ["610000010"] });
    await gate.dm(610_000_010, "/run id");
    expect(await gate.messagesTo(610_000_010)).toEqual([
      expect.stringMatching(/^⛔ exec is not part of the "messaging" tool profile of your role \(limited\)\. Nothing ran\.$/),
    ]);
  });
});

describe("dmPolicy open", () => {
  it('refuses to start without "*" in allowFrom, naming the key', async () => {
    const gate = new GateHarness(710_004, OWNER, { dmPolicy: "open" });
    const response = await gate.post({
      update_id: 1,
      message: { message_id: 1, from: { id: 1 }, chat: { id: 1, type: "private" }, text: "hi" },
    });
    expect(response.status).toBe(503);
    const { error } = await response.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe("config_invalid");
    expect(error.message).toMatch(/^DRAWBRIDGE_ACCESS\.dmPolicy is invalid: "open" needs allowFrom to hold "\*"/);
    // The admin API refuses too: a bad config serves nothing.
    expect((await gate.api("GET", "/api/pairing/telegram")).status).toBe(503);
  });

  it('refuses other bad configs naming the key: unknown keys, "*" without open, bad JSON, bad patterns', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ dmPolicy: "pairing", allowFrom: ["*"] }, /^DRAWBRIDGE_ACCESS\.allowFrom is invalid/],
      [{ dmPolicy: "everyone" }, /^DRAWBRIDGE_ACCESS\.dmPolicy is invalid/],
      [{ groups: { requireMention: "no" } }, /^DRAWBRIDGE_ACCESS\.groups\.requireMention is invalid/],
      [{ groups: { mentionPatterns: ["(unclosed"] } }, /^DRAWBRIDGE_ACCESS\.groups\.mentionPatterns\.0 is invalid/],
      [{ roles: { "@alice": "trusted" } }, /^DRAWBRIDGE_ACCESS\.roles/],
      [{ pairing: { maxPending: 10 } }, /^DRAWBRIDGE_ACCESS\.pairing\.maxPending is invalid/],
      [{ dmpolicy: "open" }, /^DRAWBRIDGE_ACCESS is invalid: Unrecognized key/],
    ];
    for (const [access, message] of cases) {
      const response = await new GateHarness(710_005, OWNER, access).api("GET", "/api/pairing/telegram");
      expect(response.status).toBe(503);
      expect((await response.json<{ error: { message: string } }>()).error.message).toMatch(message);
    }
  });

  it('with "*": a stranger is served as limited, never reaching runner tools', async () => {
    const gate = new GateHarness(710_006, OWNER, { dmPolicy: "open", allowFrom: ["*"] });
    await gate.dm(610_000_020, "/help");
    await gate.dm(610_000_020, "/run id");
    expect(await gate.messagesTo(610_000_020)).toEqual([
      expect.stringMatching(/^Drawbridge commands:/),
      expect.stringMatching(/^⛔ exec is not part of the "messaging" tool profile of your role \(limited\)\. Nothing ran\.$/),
    ]);
  });
});

describe("roles keyed on numeric ids", () => {
  const gate = new GateHarness(710_007, OWNER, { dmPolicy: "allowlist", roles: { "610000030": "trusted", "610000031": "blocked" } });

  it("config blocked wins over an admin grant; blocked senders get nothing back", async () => {
    const put = await gate.api("PUT", "/api/allow/telegram/610000031", { role: "trusted" });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ senderId: "610000031", role: "blocked" });
    const before = (await gate.allCalls()).length;
    await gate.dm(610_000_031, "/help");
    expect((await gate.allCalls()).length).toBe(before);
  });

  it("the owner can set, change and revoke roles through the admin API", async () => {
    expect((await gate.api("PUT", "/api/allow/telegram/610000032", { role: "limited" })).status).toBe(200);
    await gate.dm(610_000_032, "/help");
    expect(await gate.messagesTo(610_000_032)).toHaveLength(1);
    expect((await gate.api("PUT", "/api/allow/telegram/610000032", { role: "blocked" })).status).toBe(200);
    await gate.dm(610_000_032, "/help");
    expect(await gate.messagesTo(610_000_032)).toHaveLength(1);
    expect((await gate.api("DELETE", "/api/allow/telegram/610000032")).status).toBe(200);
    expect((await gate.api("DELETE", "/api/allow/telegram/610000032")).status).toBe(404);
    await gate.dm(610_000_032, "/help");
    expect(await gate.messagesTo(610_000_032)).toHaveLength(1);
  });

  it('refuses "*", usernames and the owner as role targets', async () => {
    for (const target of ["*", "@alice", "alice"]) {
      expect((await gate.api("PUT", `/api/allow/telegram/${encodeURIComponent(target)}`, { role: "trusted" })).status).toBe(400);
    }
    expect((await gate.api("PUT", `/api/allow/telegram/${OWNER}`, { role: "blocked" })).status).toBe(400);
    expect((await gate.api("PUT", "/api/allow/telegram/610000033", { role: "owner" })).status).toBe(400);
    const listed = await (
      await gate.api("GET", "/api/allow/telegram")
    ).json<{
      allowed: Array<{ senderId: string; role: string; source: string }>;
    }>();
    expect(listed.allowed).toContainEqual({ senderId: "610000030", role: "trusted", name: "", source: "config" });
    expect(listed.allowed.map((entry) => entry.senderId)).not.toContain("*");
  });
});
