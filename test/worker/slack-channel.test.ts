import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditList } from "../../shared/admin-api.js";
import { app } from "../../worker/app.js";
import { checkSlackSignature } from "../../worker/channels/slack/signature.js";
import { readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";
import { buttonsOf, dmOf, slackId, SlackHarness } from "./slack-harness.js";

async function auditOf(gate: SlackHarness, kind: string): Promise<Array<{ actor: string; detail: Record<string, unknown> }>> {
  const response = await app.request(
    "/api/audit?limit=500",
    { headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}` } },
    gate.env,
    executionContext,
  );
  const { events } = await readJson(response, AuditList);
  return events.filter((event) => event.kind === kind);
}

describe("Slack requests are verified before anything reads them", () => {
  it("verifies Slack's published example signature", async () => {
    // From Slack's "Verifying requests from Slack" page: secret, timestamp, body and the signature it gives.
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const at = 1531420618 * 1000;
    expect(await checkSlackSignature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", signature, body, at)).toBe("ok");
    expect(await checkSlackSignature("8f742231b10e8888abcd99yyyzzz85a6", "1531420618", signature, body, at)).toBe("bad");
    expect(await checkSlackSignature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", signature, `${body}x`, at)).toBe("bad");
  });

  it("answers url_verification with its challenge, once signed", async () => {
    const gate = new SlackHarness(slackId("U"));
    const body = { token: "t", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" };
    const response = await gate.postEvent(body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: body.challenge });
    expect((await gate.postEvent(body, { signature: "v0=00" })).status).toBe(401);
  });

  it("refuses forged, missing and wrong-key signatures (401) and stores and sends nothing", async () => {
    const owner = slackId("U");
    const gate = new SlackHarness(owner);
    const envelope = gate.envelope({ type: "message", channel: dmOf(owner), user: owner, text: "/whoami", channel_type: "im" });
    for (const signing of [{ signature: "v0=" + "ab".repeat(32) }, { signature: null }, { secret: "not-the-signing-secret" }]) {
      const response = await gate.postEvent(envelope, signing);
      expect(response.status).toBe(401);
    }
    expect(await gate.inboxDepth()).toBe(0);
    await gate.settle();
    expect(await gate.messagesTo(dmOf(owner))).toEqual([]);
  });

  it("refuses a validly signed request whose timestamp is more than 5 minutes off (401)", async () => {
    const owner = slackId("U");
    const gate = new SlackHarness(owner);
    const envelope = gate.envelope({ type: "message", channel: dmOf(owner), user: owner, text: "/whoami", channel_type: "im" });
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now + 301]) {
      const response = await gate.postEvent(envelope, { timestamp });
      expect(response.status).toBe(401);
      expect(JSON.stringify(await response.json())).toContain("5 minutes");
    }
    expect(await gate.inboxDepth()).toBe(0);
  });

  it("caps the body before verifying it (413)", async () => {
    const gate = new SlackHarness(slackId("U"));
    const response = await gate.postRaw("/slack/events", JSON.stringify({ type: "x", pad: "a".repeat(300 * 1024) }), "application/json");
    expect(response.status).toBe(413);
  });

  it("processes an event once however often Slack delivers it (retries, redeliveries)", async () => {
    const owner = slackId("U");
    const gate = new SlackHarness(owner);
    const envelope = gate.envelope({ type: "message", channel: dmOf(owner), user: owner, text: "/whoami", channel_type: "im" });
    expect((await gate.postEvent(envelope)).status).toBe(200);
    expect((await gate.postEvent(envelope, { retry: 1 })).status).toBe(200);
    expect((await gate.postEvent(envelope, { retry: 2 })).status).toBe(200);
    await gate.settle();
    const replies = await gate.messagesTo(dmOf(owner));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`You are slack:${owner} on slack`);
  });
});

describe("Slack DMs follow the DM policy", () => {
  it("pairing: a stranger gets a code, the owner Block Kit buttons; another user's tap does nothing; the owner's tap approves", async () => {
    const owner = slackId("U");
    const stranger = slackId("U");
    const other = slackId("U");
    const gate = new SlackHarness(owner);
    expect((await gate.dm(stranger, "hello")).status).toBe(200);

    const [codeLine] = await gate.messagesTo(dmOf(stranger));
    const code = /pairing code is ([A-Z0-9]{8})/.exec(codeLine ?? "")?.[1];
    expect(code).toBeDefined();
    const [prompt] = await gate.sentTo(owner);
    expect(prompt).toBeDefined();
    expect(String(prompt?.params.text)).toContain(`id ${stranger}`);
    expect(buttonsOf(prompt!)).toEqual([
      { text: "✅ Approve", value: `pair:approve:${code}` },
      { text: "❌ Deny", value: `pair:deny:${code}` },
      { text: "🚫 Block", value: `pair:block:${code}` },
    ]);

    // Someone else's tap (a forwarded prompt, a shared screen): audited, nothing approved.
    await gate.tap(other, `pair:approve:${code}`, dmOf(other), "1.1");
    expect((await auditOf(gate, "pairing.callback_refused")).map((event) => event.actor)).toContain(`slack:${other}`);
    await gate.dm(stranger, "/whoami");
    expect(await gate.messagesTo(stranger)).toEqual([]);
    expect(await gate.messagesTo(dmOf(stranger))).toHaveLength(1);

    await gate.tap(owner, `pair:approve:${code}`, dmOf(owner), "1.1");
    expect(await gate.messagesTo(stranger)).toEqual(["✅ The owner approved you. Send /help to see what you can do."]);
    const [update] = await gate.sentTo(dmOf(owner), "chat.update");
    expect(String(update?.params.text)).toContain("Approved");
    expect(buttonsOf(update!)).toEqual([]);
    await gate.dm(stranger, "/whoami");
    expect((await gate.messagesTo(dmOf(stranger))).at(-1)).toContain(`You are slack:${stranger} on slack`);
  });

  it("allowlist: a stranger's DMs get nothing at all — no code, no owner prompt", async () => {
    const owner = slackId("U");
    const stranger = slackId("U");
    const gate = new SlackHarness(owner, { dmPolicy: "allowlist" });
    await gate.dm(stranger, "hello");
    await gate.dm(stranger, "ABCD2345");
    expect(await gate.messagesTo(dmOf(stranger))).toEqual([]);
    expect(await gate.messagesTo(stranger)).toEqual([]);
    expect(await gate.sentTo(owner)).toEqual([]);
    expect((await auditOf(gate, "access.denied")).map((event) => event.actor)).toContain(`slack:${stranger}`);
  });

  it("ignores edits, bot messages and the app's own messages", async () => {
    const owner = slackId("U");
    const gate = new SlackHarness(owner);
    const channel = dmOf(owner);
    for (const event of [
      { type: "message", subtype: "message_changed", channel, channel_type: "im", message: { user: owner, text: "/whoami" } },
      { type: "message", bot_id: "B0123", user: owner, channel, channel_type: "im", text: "/whoami" },
      { type: "message", user: gate.botUser, channel, channel_type: "im", text: "/whoami" },
    ]) {
      expect((await gate.postEvent(gate.envelope(event))).status).toBe(200);
    }
    await gate.settle();
    expect(await gate.messagesTo(channel)).toEqual([]);
  });
});

describe("Slack channels follow the group policy", () => {
  it("a channel message without a mention is ignored; an app_mention is served per groups.allowChats and allowFrom", async () => {
    const owner = slackId("U");
    const member = slackId("U");
    const allowed = slackId("C");
    const other = slackId("C");
    const gate = new SlackHarness(owner, { groups: { policy: "allowlist", allowChats: [allowed] } });

    await gate.postEvent(gate.envelope({ type: "message", channel: allowed, channel_type: "channel", user: owner, text: "/whoami" }));
    await gate.settle();
    expect(await gate.messagesTo(allowed)).toEqual([]);

    await gate.mention(owner, allowed, "/whoami");
    const [served] = await gate.messagesTo(allowed);
    expect(served).toContain(`You are slack:${owner} on slack (in group ${allowed})`);

    await gate.mention(owner, other, "/whoami");
    expect(await gate.messagesTo(other)).toEqual([]);
    // A member who is not in groups.allowFrom is not served, and is never sent a pairing code.
    await gate.mention(member, allowed, "/whoami");
    expect(await gate.messagesTo(allowed)).toHaveLength(1);
    expect(await gate.messagesTo(member)).toEqual([]);
  });
});

describe("Slack replies survive Slack refusing them", () => {
  it("keeps a reply Slack answers ok:false ratelimited, and sends it after Retry-After", async () => {
    const owner = slackId("U");
    const gate = new SlackHarness(owner);
    await gate.outage({ method: "chat.postMessage", channel: dmOf(owner), count: 1, error: "ratelimited", retryAfter: 30 });
    await gate.dm(owner, "/whoami");
    expect(await gate.messagesTo(dmOf(owner))).toEqual([]);
    expect(await gate.undelivered()).toBe(1);

    await gate.advance(31_000);
    await runDurableObjectAlarm(gate.gatekeeper);
    expect(await gate.undelivered()).toBe(0);
    expect((await gate.messagesTo(dmOf(owner)))[0]).toContain(`You are slack:${owner}`);
  });

  it("audits a reply Slack refuses for good (ok:false channel_not_found) as reply.failed", async () => {
    const owner = slackId("U");
    const gate = new SlackHarness(owner);
    await gate.outage({ method: "chat.postMessage", channel: dmOf(owner), count: 1, error: "channel_not_found" });
    await gate.dm(owner, "/whoami");
    expect(await gate.undelivered()).toBe(0);
    const failed = await auditOf(gate, "reply.failed");
    expect(failed.find((event) => event.actor === `slack:${dmOf(owner)}`)?.detail.detail).toBe("channel_not_found");
  });
});

describe("the Slack channel's switch", () => {
  it("is off (404) with none of its secrets, and closed (503 naming the secret) with only some", async () => {
    const owner = slackId("U");
    const off = new SlackHarness(owner, {}, { SLACK_SIGNING_SECRET: undefined, SLACK_BOT_TOKEN: undefined });
    const offResponse = await off.postEvent(off.envelope({ type: "message" }), { secret: "x" });
    expect(offResponse.status).toBe(404);
    expect(JSON.stringify(await offResponse.json())).toContain("Slack channel is off");

    const half = new SlackHarness(owner, {}, { SLACK_BOT_TOKEN: undefined });
    for (const path of ["/slack/events", "/slack/interactivity"]) {
      const response = await half.postRaw(path, "{}", "application/json");
      expect(response.status).toBe(503);
      const text = JSON.stringify(await response.json());
      expect(text).toContain("SLACK_BOT_TOKEN");
      expect(text).not.toContain(env.SLACK_SIGNING_SECRET ?? "unset");
    }
  });
});

describe("malformed but validly signed bodies", () => {
  it("1,000 of them on both routes: never a 5xx, nothing left in the inbox, and the owner is still served", async () => {
    const owner = slackId("U");
    const gate = new SlackHarness(owner);
    const team = gate.teamId;
    const events: unknown[] = [
      null,
      7,
      "text",
      [],
      [{ type: "event_callback" }],
      { type: 5 },
      { type: "event_callback" },
      { type: "event_callback", team_id: team, event_id: "", event: {} },
      { type: "event_callback", team_id: "not-a-team", event_id: "Ev1", event: { type: "message" } },
      { type: "event_callback", team_id: team, event_id: "Ev2", event: "message" },
      { type: "event_callback", team_id: team, event_id: "Ev3", event: { type: "message", text: 5, user: owner, channel: "D1" } },
      {
        type: "event_callback",
        team_id: team,
        event_id: "Ev4",
        event: { type: "message", channel_type: "im", user: "alice", channel: "D1", text: "/whoami" },
      },
      { type: "event_callback", team_id: team, event_id: "Ev5", event: { type: "app_mention", user: owner, text: "/whoami" } },
      { type: "event_callback", team_id: team, event_id: "x".repeat(200), event: { type: "message" } },
      { type: "url_verification" },
      { type: "url_verification", challenge: "" },
    ];
    const payloads: string[] = [
      "",
      "payload=",
      "payload=%7B",
      "payload=null",
      "payload=" + encodeURIComponent(JSON.stringify({ type: "block_actions" })),
      "payload=" +
        encodeURIComponent(
          JSON.stringify({ type: "block_actions", team: { id: team }, user: { id: owner }, trigger_id: "t", actions: [] }),
        ),
      "payload=" + encodeURIComponent(JSON.stringify({ type: "view_submission", team: { id: team } })),
      "payload=" +
        encodeURIComponent(
          JSON.stringify({
            type: "block_actions",
            team: { id: team },
            user: { id: owner },
            trigger_id: "t2",
            actions: [{ value: "pair:approve:lowercase" }],
          }),
        ),
      "payload=" +
        encodeURIComponent(
          JSON.stringify({
            type: "block_actions",
            team: { id: team },
            user: { id: owner },
            trigger_id: "t3",
            actions: [{ value: "ap:zz:allow" }],
          }),
        ),
      "%%%",
    ];
    const statuses = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const response =
        i % 2 === 0
          ? await gate.postRaw(
              "/slack/events",
              i % 6 === 0 ? "{not json" : JSON.stringify(events[(i / 2) % events.length]),
              "application/json",
            )
          : await gate.postRaw(
              "/slack/interactivity",
              payloads[((i - 1) / 2) % payloads.length] ?? "",
              "application/x-www-form-urlencoded",
            );
      statuses.add(response.status);
      await response.body?.cancel();
    }
    expect([...statuses].filter((status) => status >= 500)).toEqual([]);
    await gate.settle();
    expect(await gate.inboxDepth()).toBe(0);
    await gate.dm(owner, "/whoami");
    expect((await gate.messagesTo(dmOf(owner))).at(-1)).toContain(`You are slack:${owner} on slack`);
  });
});
