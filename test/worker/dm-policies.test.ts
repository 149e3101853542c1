import { describe, expect, it } from "vitest";
import { AllowList, PairingList, RoleSet, AuditList } from "../../shared/admin-api.js";
import { readError, readJson } from "../support/read-json.js";
import { GateHarness } from "./gate-harness.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();

describe("dmPolicy allowlist and disabled (acceptance 5)", () => {
  for (const dmPolicy of ["allowlist", "disabled"] as const) {
    it(`${dmPolicy}: a stranger's DMs produce zero Bot API calls, and are audited`, async () => {
      const gate = new GateHarness(newBotId(), OWNER, { dmPolicy, allowFrom: [String(newUserId())] });
      const stranger = newUserId();
      const before = (await gate.allCalls()).length;
      for (const text of ["hi", "/run id", "/help"]) expect((await gate.dm(stranger, text)).status).toBe(200);
      expect((await gate.allCalls()).length).toBe(before);
      expect(await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList)).toEqual({ pending: [] });
      const audit = await readJson(await gate.api("GET", "/api/audit?limit=100"), AuditList);
      expect(audit.events.filter((event) => event.actor === `telegram:${stranger}` && event.kind === "access.denied")).toHaveLength(3);
      // The owner is still served.
      await gate.dm(OWNER, "/help");
      expect((await gate.messagesTo(OWNER)).at(-1)).toContain("/run <command>");
    });
  }

  it("allowlist: an allowlisted id is served with the default role", async () => {
    const allowed = newUserId();
    const gate = new GateHarness(newBotId(), OWNER, { dmPolicy: "allowlist", allowFrom: [String(allowed)] });
    await gate.dm(allowed, "/run id");
    expect(await gate.messagesTo(allowed)).toEqual([
      expect.stringMatching(/^⛔ exec is not part of the "messaging" tool profile of your role \(limited\)\. Nothing ran\.$/),
    ]);
  });
});

describe("dmPolicy open", () => {
  it('refuses to start without "*" in allowFrom, naming the key', async () => {
    const gate = new GateHarness(newBotId(), OWNER, { dmPolicy: "open" });
    const response = await gate.post({
      update_id: 1,
      message: { message_id: 1, from: { id: 1 }, chat: { id: 1, type: "private" }, text: "hi" },
    });
    expect(response.status).toBe(503);
    const error = await readError(response);
    expect(error.code).toBe("config_invalid");
    expect(error.message).toMatch(/^DRAWBRIDGE_ACCESS\.dmPolicy is invalid: "open" needs allowFrom to hold "\*"/);
    // The admin API refuses too: a bad config serves nothing.
    expect((await gate.api("GET", "/api/pairing/telegram")).status).toBe(503);
  });

  it('refuses other bad configs naming the key: unknown keys, "*" without open, bad JSON, bad patterns', async () => {
    const botId = newBotId();
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
      const response = await new GateHarness(botId, OWNER, access).api("GET", "/api/pairing/telegram");
      expect(response.status).toBe(503);
      expect((await readError(response)).message).toMatch(message);
    }
  });

  it('with "*": a stranger is served as limited, never reaching runner tools', async () => {
    const gate = new GateHarness(newBotId(), OWNER, { dmPolicy: "open", allowFrom: ["*"] });
    const stranger = newUserId();
    await gate.dm(stranger, "/help");
    await gate.dm(stranger, "/run id");
    expect(await gate.messagesTo(stranger)).toEqual([
      expect.stringMatching(/^Drawbridge commands:/),
      expect.stringMatching(/^⛔ exec is not part of the "messaging" tool profile of your role \(limited\)\. Nothing ran\.$/),
    ]);
  });
});

describe("roles keyed on numeric ids", () => {
  const [trusted, blocked, granted, other] = [newUserId(), newUserId(), newUserId(), newUserId()];
  const gate = new GateHarness(newBotId(), OWNER, { dmPolicy: "allowlist", roles: { [trusted]: "trusted", [blocked]: "blocked" } });

  it("config blocked wins over an admin grant; blocked senders get nothing back", async () => {
    const put = await gate.api("PUT", `/api/allow/telegram/${blocked}`, { role: "trusted" });
    expect(put.status).toBe(200);
    expect(await readJson(put, RoleSet)).toMatchObject({ senderId: String(blocked), role: "blocked" });
    const before = (await gate.allCalls()).length;
    await gate.dm(blocked, "/help");
    expect((await gate.allCalls()).length).toBe(before);
  });

  it("the owner can set, change and revoke roles through the admin API", async () => {
    expect((await gate.api("PUT", `/api/allow/telegram/${granted}`, { role: "limited" })).status).toBe(200);
    await gate.dm(granted, "/help");
    expect(await gate.messagesTo(granted)).toHaveLength(1);
    expect((await gate.api("PUT", `/api/allow/telegram/${granted}`, { role: "blocked" })).status).toBe(200);
    await gate.dm(granted, "/help");
    expect(await gate.messagesTo(granted)).toHaveLength(1);
    expect((await gate.api("DELETE", `/api/allow/telegram/${granted}`)).status).toBe(200);
    expect((await gate.api("DELETE", `/api/allow/telegram/${granted}`)).status).toBe(404);
    await gate.dm(granted, "/help");
    expect(await gate.messagesTo(granted)).toHaveLength(1);
  });

  it('refuses "*", usernames and the owner as role targets', async () => {
    for (const target of ["*", "@alice", "alice"]) {
      expect((await gate.api("PUT", `/api/allow/telegram/${encodeURIComponent(target)}`, { role: "trusted" })).status).toBe(400);
    }
    expect((await gate.api("PUT", `/api/allow/telegram/${OWNER}`, { role: "blocked" })).status).toBe(400);
    expect((await gate.api("PUT", `/api/allow/telegram/${other}`, { role: "owner" })).status).toBe(400);
    const listed = await readJson(await gate.api("GET", "/api/allow/telegram"), AllowList);
    expect(listed.allowed).toContainEqual({ senderId: String(trusted), role: "trusted", name: "", source: "config" });
    expect(listed.allowed.map((entry) => entry.senderId)).not.toContain("*");
  });
});
