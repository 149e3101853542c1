import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAccessConfig } from "../../shared/access/access-config.js";
import { ChannelName } from "../../shared/identity.js";
import { SessionConfig, type DmScope } from "../../shared/sessions/session-config.js";
import { sessionKey, type SessionSubject } from "../../shared/sessions/session-key.js";
import { SessionKey } from "../../shared/tools/tool-call.js";

const OWNER = "telegram:111";
const config = (sessions: unknown) => SessionConfig.parse(sessions);
const dm = (senderKey: string, channel: "telegram" | "console" = "telegram"): SessionSubject => ({
  channel,
  senderKey,
  isOwner: senderKey === OWNER,
  chat: { kind: "dm" },
});
const inGroup = (senderKey: string, chatId: string): SessionSubject => ({ ...dm(senderKey), chat: { kind: "group", chatId } });

describe("session keys (table)", () => {
  const links = { alice: ["telegram:123", "telegram:456"], me: [OWNER, "telegram:222"] };
  const table: [DmScope, SessionSubject, string][] = [
    ["main", dm(OWNER), "main"],
    ["main", dm(OWNER, "console"), "main"],
    ["main", dm("telegram:333"), "dm:telegram:333"],
    // The owner's other account is linked, but only the owner identity itself is "main".
    ["main", dm("telegram:222"), "dm:link:me"],
    ["main", dm("telegram:456"), "dm:link:alice"],
    ["main", inGroup(OWNER, "-100123"), "group:telegram:-100123"],
    ["per-peer", dm(OWNER), "dm:link:me"],
    ["per-peer", dm(OWNER, "console"), "dm:link:me"],
    ["per-peer", dm("telegram:123"), "dm:link:alice"],
    ["per-peer", dm("telegram:456"), "dm:link:alice"],
    ["per-peer", dm("telegram:333"), "dm:telegram:333"],
    ["per-channel-peer", dm(OWNER), "dm:telegram:link:me"],
    ["per-channel-peer", dm(OWNER, "console"), "dm:console:link:me"],
    ["per-channel-peer", dm("telegram:333"), "dm:telegram:telegram:333"],
    ["per-channel-peer", dm("telegram:123"), "dm:telegram:link:alice"],
    ["per-channel-peer", inGroup("telegram:333", "-5"), "group:telegram:-5"],
  ];
  it.each(table)("%s: %j → %s", (dmScope, subject, expected) => {
    expect(sessionKey(config({ dmScope, identityLinks: links }), subject)).toBe(expected);
  });

  it("defaults to today's behaviour: the owner is main, everyone else their own", () => {
    const defaults = config({});
    expect(defaults).toEqual({ dmScope: "main", identityLinks: {} });
    expect(sessionKey(defaults, dm(OWNER))).toBe("main");
    expect(sessionKey(defaults, dm("telegram:333"))).toBe("dm:telegram:333");
  });

  it("refuses a malformed sender or group id instead of keying it", () => {
    expect(() => sessionKey(config({}), dm("telegram:12a"))).toThrow(/not a sender id/);
    expect(() => sessionKey(config({}), inGroup("telegram:1", "1:2"))).toThrow(/not a group chat id/);
  });

  it('"link" is no channel name, so a link never reads as a sender id', () => {
    expect(ChannelName.options).not.toContain("link");
  });
});

describe("session config (DRAWBRIDGE_ACCESS.sessions)", () => {
  const bad: [unknown, string][] = [
    [{ dmScope: "per-account" }, "DRAWBRIDGE_ACCESS.sessions.dmScope is invalid"],
    [{ scope: "main" }, "DRAWBRIDGE_ACCESS.sessions is invalid"],
    [{ identityLinks: { alice: ["telegram:1"], bob: ["telegram:2", "telegram:1"] } }, 'telegram:1 is already linked to "alice"'],
    [{ identityLinks: { alice: ["telegram:1", "telegram:1"] } }, "telegram:1 is listed twice"],
    [{ identityLinks: { "123": ["telegram:1"] } }, "starting with a letter"],
    [{ identityLinks: { Alice: ["telegram:1"] } }, "starting with a letter"],
    [{ identityLinks: { alice: ["@alice"] } }, "DRAWBRIDGE_ACCESS.sessions.identityLinks.alice.0 is invalid"],
    [{ identityLinks: { alice: ["telegram:0123"] } }, "numeric id"],
    [{ identityLinks: { alice: [] } }, "at least one id"],
  ];
  it.each(bad)("refuses %j, naming the key", (sessions, message) => {
    const parsed = parseAccessConfig(JSON.stringify({ sessions }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it("names the link that repeats an id", () => {
    const parsed = parseAccessConfig({ sessions: { identityLinks: { alice: ["telegram:1"], bob: ["telegram:1"] } } });
    expect(parsed).toMatchObject({
      ok: false,
      message: expect.stringContaining("DRAWBRIDGE_ACCESS.sessions.identityLinks.bob") as unknown,
    });
  });

  it("is all defaults when absent", () => {
    const parsed = parseAccessConfig("");
    expect(parsed.ok && parsed.config.sessions).toEqual({ dmScope: "main", identityLinks: {} });
  });
});

// Small pools so that equal ids, equal numbers across channels, and groups vs senders meet often.
const NUMBERS = ["1", "2", "111", "-1", "0", "99999999999999999999", "-99999999999999999999"];
// Slack's ids are upper-case (session keys are lower-cased, so these must stay apart from each other and from numbers).
const SLACK_USERS = ["U1A", "U2B", "W111", "U00"];
const SLACK_CHATS = ["C1A", "G1A", "C111"];
// WhatsApp wa_ids and Discord snowflakes are digits too, in shapes of their own (shared/identity.ts); some equal a Telegram number.
const WHATSAPP_USERS = ["15551234567", "1111111", "99999999999999"];
const DISCORD_USERS = ["80351110224678912", "99999999999999999999", "11111111111111111"];
const IDS_OF = { slack: SLACK_USERS, whatsapp: WHATSAPP_USERS, discord: DISCORD_USERS } as Record<string, string[] | undefined>;
const NAMES = ["alice", "telegram", "console", "link", "main", "dm", "group", "a-1"];
const channel = fc.constantFrom(...ChannelName.options);
const senderKey = channel.chain((c) => fc.constantFrom(...(IDS_OF[c] ?? NUMBERS)).map((id) => `${c}:${id}`));
const subject: fc.Arbitrary<SessionSubject> = fc.record({
  channel,
  senderKey,
  chat: fc.oneof(
    fc.constant({ kind: "dm" as const }),
    fc.record({ kind: fc.constant("group" as const), chatId: fc.constantFrom(...NUMBERS, ...SLACK_CHATS) }),
  ),
  isOwner: fc.constant(false),
});
/** Each id in at most one link, as the config guarantees. */
const sessions = fc
  .record({
    dmScope: fc.constantFrom("main", "per-peer", "per-channel-peer"),
    owner: senderKey,
    assign: fc.dictionary(senderKey, fc.constantFrom(...NAMES)),
  })
  .map(({ dmScope, owner, assign }) => {
    const identityLinks: Record<string, string[]> = {};
    for (const [id, name] of Object.entries(assign)) (identityLinks[name] ??= []).push(id);
    return { owner, config: config({ dmScope, identityLinks }) };
  });

/** The model: who a session belongs to, written without any key format. */
function principal(config: SessionConfig, s: SessionSubject): string {
  if (s.chat.kind === "group") return JSON.stringify(["group", s.channel, s.chat.chatId]);
  const link = Object.entries(config.identityLinks).find(([, ids]) => ids.includes(s.senderKey))?.[0];
  const person = link === undefined ? ["id", s.senderKey] : ["link", link];
  if (config.dmScope === "main") return JSON.stringify(s.isOwner ? ["owner"] : person);
  if (config.dmScope === "per-peer") return JSON.stringify(person);
  return JSON.stringify([s.channel, person]);
}

describe("session keys (property)", () => {
  it("two subjects share a key exactly when they are the same person (or group) under the scope", () => {
    fc.assert(
      fc.property(sessions, subject, subject, ({ owner, config }, a0, b0) => {
        const a = { ...a0, isOwner: a0.senderKey === owner };
        const b = { ...b0, isOwner: b0.senderKey === owner };
        const [keyA, keyB] = [sessionKey(config, a), sessionKey(config, b)];
        expect(SessionKey.safeParse(keyA).success).toBe(true);
        expect(keyA === keyB).toBe(principal(config, a) === principal(config, b));
        if (keyA === "main") expect(a.isOwner && a.chat.kind === "dm" && config.dmScope === "main").toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
