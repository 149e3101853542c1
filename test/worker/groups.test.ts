import { describe, expect, it } from "vitest";
import { GateHarness, groupUpdate } from "./gate-harness.js";
import { AuditList, PairingList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { newBotId, newGroupId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const GROUP = newGroupId();
const OTHER_GROUP = newGroupId();
const MEMBER = newUserId();
const OUTSIDER = newUserId();
const groups = { allowChats: [String(GROUP)], allowFrom: [String(MEMBER)], mentionPatterns: ["@drawbridge_test_bot", "^drawbridge\\b"] };

describe("groups (acceptance 6)", () => {
  const gate = new GateHarness(newBotId(), OWNER, { groups, roles: { [String(MEMBER)]: "trusted" } });
  const say = async (from: number, text: string, extra: Record<string, unknown> = {}) => {
    await gate.post(groupUpdate(from, GROUP, text, extra));
    await gate.settle();
  };

  it("without a mention nothing runs and nothing is said, even from the owner", async () => {
    await say(OWNER, "/help");
    await say(MEMBER, "/run echo hi");
    expect(await gate.sentTo(GROUP)).toEqual([]);
  });

  it("with a mention (in upper or lower case) from an allowed sender it does", async () => {
    await say(MEMBER, "@DrawBridge_Test_Bot /help");
    await say(OWNER, "Drawbridge /frobnicate");
    expect(await gate.messagesTo(GROUP)).toEqual([
      expect.stringContaining("/run <command>"),
      expect.stringContaining("Unknown command /frobnicate"),
    ]);
  });

  it("a reply to the bot from a sender who is not allowed does nothing", async () => {
    const before = (await gate.allCalls()).length;
    const replyToBot = {
      reply_to_message: {
        message_id: 1,
        date: 0,
        chat: { id: GROUP, type: "supergroup" },
        from: { id: 4242, is_bot: true, first_name: "Drawbridge" },
        text: "…",
      },
    };
    await say(OUTSIDER, "/run id", replyToBot);
    await say(MEMBER, "/run id", replyToBot); // an allowed sender replying without a mention: still nothing
    expect((await gate.allCalls()).length).toBe(before);
  });

  it("/run from a member who is not authorized never runs and is audited", async () => {
    const before = (await gate.allCalls()).length;
    await say(OUTSIDER, "@drawbridge_test_bot /run echo pwned");
    expect((await gate.allCalls()).length).toBe(before);
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=100"), AuditList);
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        kind: "access.denied",
        actor: `telegram:${OUTSIDER}`,
        detail: expect.objectContaining({ reason: "group_sender_not_allowed" }),
      }),
    );
  });

  it("a group that is not allowlisted gets nothing and no pairing code", async () => {
    const unlisted = newGroupId();
    const before = (await gate.allCalls()).length;
    await gate.post(groupUpdate(OWNER, unlisted, "@drawbridge_test_bot /help"));
    await gate.post(groupUpdate(OUTSIDER, unlisted, "@drawbridge_test_bot hi"));
    await gate.settle();
    expect((await gate.allCalls()).length).toBe(before);
    expect(await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList)).toEqual({ pending: [] });
  });
});

describe("groupPolicy disabled and open", () => {
  it("disabled: even the owner's mention in an allowlisted group gets nothing", async () => {
    const gate = new GateHarness(newBotId(), OWNER, { groups: { ...groups, allowChats: [String(OTHER_GROUP)], policy: "disabled" } });
    await gate.post(groupUpdate(OWNER, OTHER_GROUP, "@drawbridge_test_bot /help"));
    await gate.settle();
    expect(await gate.sentTo(OTHER_GROUP)).toEqual([]);
  });

  it("open with requireMention off: every group, but still only allowed senders", async () => {
    const gate = new GateHarness(newBotId(), OWNER, { groups: { policy: "open", requireMention: false, allowFrom: [String(MEMBER)] } });
    const elsewhere = newGroupId();
    await gate.post(groupUpdate(MEMBER, elsewhere, "/help"));
    await gate.post(groupUpdate(OUTSIDER, elsewhere, "/help"));
    await gate.settle();
    expect(await gate.messagesTo(elsewhere)).toEqual([expect.stringMatching(/^Drawbridge commands:/)]);
  });
});
