import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditList } from "../../shared/admin-api.js";
import { app } from "../../worker/app.js";
import { readJson } from "../support/read-json.js";
import { buttonsOf, contentOf, DiscordHarness, dmOf, newAppKeys, snowflake } from "./discord-harness.js";
import { executionContext } from "./execution-context.js";

async function auditOf(gate: DiscordHarness, kind: string): Promise<Array<{ actor: string; detail: Record<string, unknown> }>> {
  const response = await app.request(
    "/api/audit?limit=500",
    { headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}` } },
    gate.env,
    executionContext,
  );
  const { events } = await readJson(response, AuditList);
  return events.filter((event) => event.kind === kind);
}

describe("Discord interactions are verified before anything reads them", () => {
  it("answers a signed PING with PONG, and refuses an unsigned one", async () => {
    const gate = await DiscordHarness.create(snowflake());
    const ping = JSON.stringify({ id: snowflake(), application_id: gate.appId, type: 1, token: "x".repeat(40), version: 1 });
    const response = await gate.postRaw(ping);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 1 });
    expect((await gate.postRaw(ping, { signature: null })).status).toBe(401);
  });

  it("refuses forged, missing and wrong-key signatures (401) and stores and sends nothing", async () => {
    const owner = snowflake();
    const gate = await DiscordHarness.create(owner);
    const body = JSON.stringify(gate.command(owner, "whoami"));
    const stranger = await newAppKeys();
    for (const signing of [{ signature: "ab".repeat(64) }, { signature: null }, { signature: "zz" }, { key: stranger.privateKey }]) {
      const response = await gate.postRaw(body, signing);
      expect(response.status).toBe(401);
    }
    // Signed, then changed (the signature is over the raw bytes, so one added space breaks it).
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = await gate.sign(timestamp, body);
    expect((await gate.postRaw(`${body} `, { signature, timestamp: Number(timestamp) })).status).toBe(401);
    expect(await gate.inboxDepth()).toBe(0);
    await gate.settle();
    expect(await gate.followups(String((JSON.parse(body) as { token: string }).token))).toEqual([]);
  });

  it("refuses a validly signed request whose timestamp is more than 5 minutes off (401)", async () => {
    const owner = snowflake();
    const gate = await DiscordHarness.create(owner);
    const body = JSON.stringify(gate.command(owner, "whoami"));
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now + 301]) {
      const response = await gate.postRaw(body, { timestamp });
      expect(response.status).toBe(401);
      expect(JSON.stringify(await response.json())).toContain("5 minutes");
    }
    expect(await gate.inboxDepth()).toBe(0);
    expect(await gate.followups(String((JSON.parse(body) as { token: string }).token))).toEqual([]);
  });

  it("caps the body before verifying it (413)", async () => {
    const gate = await DiscordHarness.create(snowflake());
    const response = await gate.postRaw(JSON.stringify({ type: 1, pad: "a".repeat(70 * 1024) }));
    expect(response.status).toBe(413);
  });
});

describe("slash commands are stored, deferred and answered in a follow-up", () => {
  it("answers type 5 after the durable write, then the reply arrives through the interaction's webhook; a replay is answered once", async () => {
    const owner = snowflake();
    const gate = await DiscordHarness.create(owner);
    const interaction = gate.command(owner, "whoami");
    const body = JSON.stringify(interaction);
    const first = await gate.postRaw(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ type: 5 });
    expect(await gate.inboxDepth()).toBe(1);
    // The same interaction again (a replay inside the window): acknowledged, never processed twice.
    expect((await gate.postRaw(body)).status).toBe(200);
    await gate.settle();
    const replies = await gate.followups(String(interaction.token));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`You are discord:${owner} on discord`);
    // The follow-up carries no bot token (the interaction token in the path is its credential) and pings nobody.
    const [call] = (await gate.calls()).filter((c) => c.path.endsWith(String(interaction.token)));
    expect(call?.auth).toBe("");
    expect(call?.body).toMatchObject({ allowed_mentions: { parse: [] } });
  });
});

describe("Discord DMs follow the DM policy", () => {
  it("pairing: a stranger's /ask gets a code, the owner buttons in their DM; another user's tap is refused; the owner's tap approves", async () => {
    const owner = snowflake();
    const stranger = snowflake();
    const other = snowflake();
    const gate = await DiscordHarness.create(owner);
    const asked = await gate.slash(stranger, "ask", { text: "hello" });
    expect(asked.response.status).toBe(200);
    const [codeLine] = await gate.followups(asked.token);
    const code = /pairing code is ([A-Z0-9]{8})/.exec(codeLine ?? "")?.[1];
    expect(code).toBeDefined();

    const [prompt] = await gate.posted(dmOf(owner));
    expect(prompt?.auth).toBe(`Bot ${env.DISCORD_BOT_TOKEN}`);
    const promptText = contentOf(prompt!);
    // The real code and id come first; the sender's own name last, labelled as theirs.
    expect(promptText.indexOf(code!)).toBeLessThan(promptText.indexOf("Someone"));
    expect(promptText).toContain(`Sender id: \`${stranger}\``);
    expect(buttonsOf(prompt!)).toEqual([
      { label: "✅ Approve", customId: `pair:approve:${code}` },
      { label: "❌ Deny", customId: `pair:deny:${code}` },
      { label: "🚫 Block", customId: `pair:block:${code}` },
    ]);

    // Someone else's tap: an ephemeral refusal to them, audited, nothing approved.
    const refused = await gate.tap(other, `pair:approve:${code}`, dmOf(other), snowflake());
    expect(await refused.response.json()).toEqual({ type: 6 });
    const [refusal] = (await gate.calls()).filter((c) => c.path === `/webhooks/${gate.appId}/${refused.token}`);
    expect(refusal?.body).toMatchObject({ content: "not allowed", flags: 64 });
    expect((await auditOf(gate, "pairing.callback_refused")).map((event) => event.actor)).toContain(`discord:${other}`);
    const stillStranger = await gate.slash(stranger, "whoami");
    expect(await gate.followups(stillStranger.token)).toEqual([]);

    const messageId = snowflake();
    await gate.tap(owner, `pair:approve:${code}`, dmOf(owner), messageId);
    expect((await gate.posted(dmOf(stranger))).map(contentOf)).toEqual(["✅ The owner approved you. Send /help to see what you can do."]);
    const [edit] = (await gate.calls()).filter((c) => c.method === "PATCH" && c.path === `/channels/${dmOf(owner)}/messages/${messageId}`);
    expect(contentOf(edit!)).toContain("Approved");
    expect((edit?.body as { components: unknown[] }).components).toEqual([]);
    const served = await gate.slash(stranger, "whoami");
    expect((await gate.followups(served.token))[0]).toContain(`You are discord:${stranger} on discord`);
  });

  it("allowlist: a stranger gets nothing at all — no code, no owner prompt", async () => {
    const owner = snowflake();
    const stranger = snowflake();
    const gate = await DiscordHarness.create(owner, { dmPolicy: "allowlist" });
    const first = await gate.slash(stranger, "ask", { text: "hello" });
    const second = await gate.slash(stranger, "ask", { text: "ABCD2345" });
    expect(await gate.followups(first.token)).toEqual([]);
    expect(await gate.followups(second.token)).toEqual([]);
    expect(await gate.posted(dmOf(stranger))).toEqual([]);
    expect(await gate.posted(dmOf(owner))).toEqual([]);
    expect((await auditOf(gate, "access.denied")).map((event) => event.actor)).toContain(`discord:${stranger}`);
  });
});

describe("Discord guild channels follow the group policy", () => {
  it("a command in a guild channel is served per groups.allowChats, and a stranger there never gets a code", async () => {
    const owner = snowflake();
    const member = snowflake();
    const guildId = snowflake();
    const allowed = snowflake();
    const other = snowflake();
    const gate = await DiscordHarness.create(owner, { groups: { policy: "allowlist", allowChats: [allowed] } });
    const served = await gate.slash(owner, "whoami", {}, { guildId, channelId: allowed });
    expect((await gate.followups(served.token))[0]).toContain(`You are discord:${owner} on discord (in group ${allowed})`);
    const elsewhere = await gate.slash(owner, "whoami", {}, { guildId, channelId: other });
    expect(await gate.followups(elsewhere.token)).toEqual([]);
    const stranger = await gate.slash(member, "ask", { text: "hello" }, { guildId, channelId: allowed });
    expect(await gate.followups(stranger.token)).toEqual([]);
    expect(await gate.posted(dmOf(owner))).toEqual([]);
  });
});

describe("Discord replies survive Discord refusing them", () => {
  it("keeps a follow-up Discord answers 429, and sends it after retry_after", async () => {
    const owner = snowflake();
    const gate = await DiscordHarness.create(owner);
    const interaction = gate.command(owner, "whoami");
    await gate.outage({ path: `/webhooks/${gate.appId}/${String(interaction.token)}`, count: 1, status: 429, retryAfter: 30 });
    await gate.postRaw(JSON.stringify(interaction));
    await gate.settle();
    expect(await gate.followups(String(interaction.token))).toEqual([]);
    expect(await gate.undelivered()).toBe(1);

    await gate.advance(31_000);
    await runDurableObjectAlarm(gate.gatekeeper);
    expect(await gate.undelivered()).toBe(0);
    expect((await gate.followups(String(interaction.token)))[0]).toContain(`You are discord:${owner}`);
  });

  it("audits a follow-up Discord refuses for good (404) as reply.failed, naming the interaction but never its token", async () => {
    const owner = snowflake();
    const gate = await DiscordHarness.create(owner);
    const interaction = gate.command(owner, "whoami");
    await gate.outage({ path: `/webhooks/${gate.appId}/${String(interaction.token)}`, count: 1, status: 404 });
    await gate.postRaw(JSON.stringify(interaction));
    await gate.settle();
    expect(await gate.undelivered()).toBe(0);
    const failed = (await auditOf(gate, "reply.failed")).filter((event) => event.actor.includes(String(interaction.id)));
    expect(failed).toHaveLength(1);
    expect(failed[0]?.actor).toBe(`discord:${dmOf(owner)} (interaction ${String(interaction.id)})`);
    expect(JSON.stringify(failed)).not.toContain(String(interaction.token));
  });

  it("a reply after the interaction's 15 minutes goes to the channel as a bot message", async () => {
    const owner = snowflake();
    const gate = await DiscordHarness.create(owner);
    // Signed now, but made 20 minutes ago (its token has expired by the time the answer is ready).
    const interaction: Record<string, unknown> = { ...gate.command(owner, "whoami"), id: snowflake(Date.now() - 20 * 60_000) };
    await gate.postRaw(JSON.stringify(interaction));
    await gate.settle();
    expect(await gate.followups(String(interaction.token))).toEqual([]);
    expect((await gate.posted(dmOf(owner))).map(contentOf).at(-1)).toContain(`You are discord:${owner}`);
  });
});

describe("the Discord channel's switch", () => {
  it("is off (404) with none of its secrets, and closed (503 naming the secret) with only some", async () => {
    const owner = snowflake();
    const none = { DISCORD_PUBLIC_KEY: undefined, DISCORD_APPLICATION_ID: undefined, DISCORD_BOT_TOKEN: undefined };
    const off = await DiscordHarness.create(owner, {}, none);
    const offResponse = await off.postRaw(JSON.stringify({ type: 1 }));
    expect(offResponse.status).toBe(404);
    expect(JSON.stringify(await offResponse.json())).toContain("Discord channel is off");

    const half = await DiscordHarness.create(owner, {}, { DISCORD_BOT_TOKEN: undefined });
    const response = await half.postRaw(JSON.stringify({ type: 1 }));
    expect(response.status).toBe(503);
    const text = JSON.stringify(await response.json());
    expect(text).toContain("DISCORD_BOT_TOKEN");
    expect(text).not.toContain(half.env.DISCORD_PUBLIC_KEY ?? "unset");
  });
});

describe("malformed but validly signed bodies", () => {
  it("1,000 of them: never a 5xx, nothing left in the inbox, and the owner is still served", async () => {
    const owner = snowflake();
    const gate = await DiscordHarness.create(owner);
    const base = gate.command(owner, "whoami");
    const bodies: string[] = [
      "",
      "{not json",
      "null",
      "7",
      "[]",
      JSON.stringify({ type: 2 }),
      JSON.stringify({ ...base, id: "12" }),
      JSON.stringify({ ...base, application_id: snowflake() }),
      JSON.stringify({ ...base, type: 4 }),
      JSON.stringify({ ...base, token: "../../users/@me" }),
      JSON.stringify({ ...base, user: { id: "alice" } }),
      JSON.stringify({ ...base, data: { name: 5 } }),
      JSON.stringify({ ...base, data: { name: "run", type: 1, options: [{ name: "command", type: 3, value: { x: 1 } }] } }),
      JSON.stringify({ ...base, data: { name: "whoami", type: 2 } }),
      JSON.stringify({ ...base, type: 3, data: { custom_id: "pair:approve:lowercase!", component_type: 2 } }),
      JSON.stringify({ ...base, type: 3, data: { custom_id: "ap:zz:allow", component_type: 2 } }),
      JSON.stringify({ ...base, channel_id: undefined, channel: undefined }),
    ];
    const statuses = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      // Fresh interaction ids where the body has one, so the inbox sees distinct deliveries.
      const body = (bodies[i % bodies.length] ?? "").replace(String(base.id), snowflake());
      const response = await gate.postRaw(body);
      statuses.add(response.status);
      await response.body?.cancel();
    }
    expect([...statuses].filter((status) => status >= 500)).toEqual([]);
    await gate.settle();
    expect(await gate.inboxDepth()).toBe(0);
    const served = await gate.slash(owner, "whoami");
    expect((await gate.followups(served.token))[0]).toContain(`You are discord:${owner} on discord`);
  });
});
