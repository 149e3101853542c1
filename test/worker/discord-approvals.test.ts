import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { app } from "../../worker/app.js";
import { readJson } from "../support/read-json.js";
import { ScriptedRunner } from "./approval-harness.js";
import { buttonsOf, contentOf, DiscordHarness, dmOf, snowflake, type DiscordCall } from "./discord-harness.js";
import { executionContext } from "./execution-context.js";
import { newRunnerName } from "./test-ids.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";

/**
 * Tool approvals for an owner who is only on Discord (DRAWBRIDGE_OWNER=discord:<id>): the prompt is
 * a bot message with buttons in the owner's DM, the owner's tap on it decides, nobody else's does,
 * and the prompt is replaced by the outcome without its buttons.
 */
const AuditList = z.object({
  events: z.array(z.object({ kind: z.string(), actor: z.string(), detail: z.record(z.string(), z.unknown()) })),
});
const ApprovalList = z.object({ approvals: z.array(z.object({ id: z.string(), state: z.string() })) });

async function discordOnlyOwner(): Promise<{ gate: DiscordHarness; runner: ScriptedRunner; owner: string; trusted: string }> {
  const owner = snowflake();
  const trusted = snowflake();
  const name = newRunnerName("discord-approvals");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const access = { dmPolicy: "allowlist", allowFrom: [trusted], roles: { [trusted]: "trusted" } };
  const gate = await DiscordHarness.create(owner, access, { DEFAULT_RUNNER: name, DRAWBRIDGE_OWNER: `discord:${owner}` });
  const { tunnel } = await connectRunner(name, key);
  return { gate, runner: new ScriptedRunner(tunnel), owner, trusted };
}

async function admin(gate: DiscordHarness, path: string): Promise<Response> {
  return app.request(path, { headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}` } }, gate.env, executionContext);
}

async function stateOf(gate: DiscordHarness, id: string): Promise<string | undefined> {
  const { approvals } = await readJson(await admin(gate, "/api/approvals?state=all&limit=200"), ApprovalList);
  return approvals.find((approval) => approval.id === id)?.state;
}

/** The sender's /run in their DM; returns the owner's prompt, the message id Discord gave it and the approval id it carries. */
async function ask(gate: DiscordHarness, owner: string, sender: string, command: string) {
  await gate.slash(sender, "run", { command });
  const prompt = (await gate.posted(dmOf(owner))).find((call) => contentOf(call).includes("Approval needed"));
  expect(prompt).toBeDefined();
  const id = /^ap:([0-9a-f]{24}):allow$/.exec(buttonsOf(prompt!)[0]?.customId ?? "")?.[1];
  expect(id).toBeDefined();
  return { prompt: prompt!, id: id! };
}

/** The prompt edits: PATCHes of a message in the owner's DM. */
async function editsIn(gate: DiscordHarness, channelId: string): Promise<DiscordCall[]> {
  return (await gate.calls()).filter((call) => call.method === "PATCH" && call.path.startsWith(`/channels/${channelId}/messages/`));
}

async function waitFor(gate: DiscordHarness, channelId: string, match: (text: string) => boolean): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await gate.posted(channelId)).map(contentOf).some(match)) {
    if (Date.now() > until) throw new Error(`no matching message in ${channelId}: ${JSON.stringify(await gate.posted(channelId))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("tool approvals for a Discord-only owner", () => {
  it("prompts the owner in their DM with Allow once / Deny, saying what would run and for whom, with nothing that formats or pings", async () => {
    const { gate, owner, trusted } = await discordOnlyOwner();
    const { prompt, id } = await ask(gate, owner, trusted, "echo *bold* <@&123> @everyone");
    expect(prompt.auth).toBe("Bot worker-test-discord-bot-token");
    expect(buttonsOf(prompt)).toEqual([
      { label: "✅ Allow once", customId: `ap:${id}:allow` },
      { label: "❌ Deny", customId: `ap:${id}:deny` },
    ]);
    const styles = JSON.stringify((prompt.body as { components: unknown }).components);
    expect(styles).toContain('"style":3');
    expect(styles).toContain('"style":4');
    expect(prompt.body).toMatchObject({ allowed_mentions: { parse: [] } });
    const text = contentOf(prompt);
    // The harness's user is named "Someone"; the command is shown as it will run: Markdown and mention syntax escaped.
    expect(text).toContain(`For: discord:${trusted} (Someone), role trusted`);
    expect(text).toContain("Command: echo \\*bold\\* \\<@&123\\> @everyone");
    expect(await stateOf(gate, id)).toBe("pending");
  });

  it("another user's tap on the owner's button changes nothing and is audited; the owner's Deny runs nothing and tells the sender", async () => {
    const { gate, runner, owner, trusted } = await discordOnlyOwner();
    const { id } = await ask(gate, owner, trusted, "echo denied-one");

    // The sender taps the owner's Allow (a forwarded prompt, a guessed custom_id): refused, only they see why.
    const refused = await gate.tap(trusted, `ap:${id}:allow`, dmOf(trusted), snowflake());
    expect(await refused.response.json()).toEqual({ type: 6 });
    expect(await stateOf(gate, id)).toBe("pending");
    const { events } = await readJson(await admin(gate, "/api/audit?limit=500"), AuditList);
    const audited = events.filter((event) => event.kind === "approval.callback_refused" && event.actor === `discord:${trusted}`);
    expect(audited.map((event) => event.detail.id)).toEqual([id]);
    const [notice] = (await gate.calls()).filter((call) => call.path === `/webhooks/${gate.appId}/${refused.token}`);
    expect(notice?.body).toMatchObject({ content: "not allowed", flags: 64 });
    expect(await editsIn(gate, dmOf(owner))).toEqual([]);

    const denied = await gate.tap(owner, `ap:${id}:deny`, dmOf(owner), snowflake());
    expect(await denied.response.json()).toEqual({ type: 6 });
    expect(await stateOf(gate, id)).toBe("denied");
    await waitFor(gate, dmOf(trusted), (text) => text.startsWith("❌ The owner denied /run echo denied-one; nothing ran."));
    // The prompt where it landed (the DM channel and the message id Discord answered) is edited once, buttons gone.
    const edits = await editsIn(gate, dmOf(owner));
    expect(edits).toHaveLength(1);
    const [edit] = edits;
    expect(edit?.path).toMatch(new RegExp(`^/channels/${dmOf(owner)}/messages/\\d{17,20}$`));
    expect(contentOf(edit!)).toContain(`❌ Denied by discord:${owner} — nothing ran`);
    expect(edit?.body).toMatchObject({ components: [] });
    const [tapAnswer] = await gate.followups(denied.token);
    expect(tapAnswer).toBe("Denied — nothing runs.");
    expect(runner.executed).toEqual([]);
  });

  it("the owner's Allow once runs the call once in the sender's DM; a second tap changes nothing; the result reaches the sender", async () => {
    const { gate, runner, owner, trusted } = await discordOnlyOwner();
    const { id } = await ask(gate, owner, trusted, "echo allowed-one");
    await Promise.all([runner.answerNext(), gate.tap(owner, `ap:${id}:allow`, dmOf(owner), snowflake())]);
    expect(runner.executed).toEqual(["'echo' 'allowed-one'"]);
    await waitFor(gate, dmOf(trusted), (text) => text.includes("ran: 'echo' 'allowed-one'"));
    expect(await stateOf(gate, id)).toBe("allowed");
    const [edit] = await editsIn(gate, dmOf(owner));
    expect(contentOf(edit!)).toContain(`✅ Allowed once by discord:${owner}`);

    const again = await gate.tap(owner, `ap:${id}:allow`, dmOf(owner), snowflake());
    expect((await gate.followups(again.token)).at(-1)).toContain("was already allowed");
    const { events } = await readJson(await admin(gate, "/api/audit?limit=500"), AuditList);
    expect(events.filter((event) => event.kind === "approval.decided" && event.detail.id === id)).toHaveLength(1);
    expect(runner.executed).toEqual(["'echo' 'allowed-one'"]);
  });
});
