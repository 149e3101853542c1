import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { app } from "../../worker/app.js";
import { readJson } from "../support/read-json.js";
import { ScriptedRunner } from "./approval-harness.js";
import { executionContext } from "./execution-context.js";
import { buttonsOf, dmOf, slackId, SlackHarness, type SlackCall } from "./slack-harness.js";
import { newRunnerName } from "./test-ids.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";

/**
 * Tool approvals for an owner who is only on Slack (DRAWBRIDGE_OWNER=slack:U…): the prompt is a
 * Block Kit message in the owner's DM, the owner's tap on it decides, nobody else's does, and the
 * prompt is replaced by the outcome.
 */
const AuditList = z.object({
  events: z.array(z.object({ kind: z.string(), actor: z.string(), detail: z.record(z.string(), z.unknown()) })),
});
const ApprovalList = z.object({ approvals: z.array(z.object({ id: z.string(), state: z.string() })) });

async function slackOnlyOwner(): Promise<{ gate: SlackHarness; runner: ScriptedRunner; owner: string; trusted: string }> {
  const owner = slackId("U");
  const trusted = slackId("U");
  const name = newRunnerName("slack-approvals");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const access = { dmPolicy: "allowlist", allowFrom: [trusted], roles: { [trusted]: "trusted" } };
  const gate = new SlackHarness(owner, access, { DEFAULT_RUNNER: name, DRAWBRIDGE_OWNER: `slack:${owner}` });
  const { tunnel } = await connectRunner(name, key);
  return { gate, runner: new ScriptedRunner(tunnel), owner, trusted };
}

async function admin(gate: SlackHarness, path: string): Promise<Response> {
  return app.request(path, { headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}` } }, gate.env, executionContext);
}

async function stateOf(gate: SlackHarness, id: string): Promise<string | undefined> {
  const { approvals } = await readJson(await admin(gate, "/api/approvals?state=all&limit=200"), ApprovalList);
  return approvals.find((approval) => approval.id === id)?.state;
}

/** The sender asks; returns the owner's Block Kit prompt and the approval id it carries. */
async function ask(gate: SlackHarness, owner: string, sender: string, command: string): Promise<{ prompt: SlackCall; id: string }> {
  await gate.dm(sender, `/run ${command}`);
  // The notification text is escaped as every Slack text is (`<` → `&lt;`).
  const shown = command.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const prompt = (await gate.sentTo(owner)).find((call) => String(call.params.text).includes(shown));
  expect(prompt).toBeDefined();
  const id = /^ap:([0-9a-f]{24}):allow$/.exec(buttonsOf(prompt!)[0]?.value ?? "")?.[1];
  expect(id).toBeDefined();
  return { prompt: prompt!, id: id! };
}

async function waitFor(gate: SlackHarness, channel: string, match: (text: string) => boolean): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await gate.messagesTo(channel)).some(match)) {
    if (Date.now() > until) throw new Error(`no matching message to ${channel}: ${JSON.stringify(await gate.messagesTo(channel))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("tool approvals for a Slack-only owner", () => {
  it("prompts the owner in Slack with Allow once / Deny, saying what would run and for whom, shown as plain text", async () => {
    const { gate, owner, trusted } = await slackOnlyOwner();
    const { prompt, id } = await ask(gate, owner, trusted, "echo *bold* <!channel>");
    expect(buttonsOf(prompt)).toEqual([
      { text: "✅ Allow once", value: `ap:${id}:allow` },
      { text: "❌ Deny", value: `ap:${id}:deny` },
    ]);
    const section = z
      .array(z.object({ type: z.string(), text: z.object({ type: z.string(), text: z.string() }).optional() }))
      .parse(prompt.params.blocks)[0];
    // plain_text: a `*` in the command is shown as it will run, not as bold; nothing in it can ping.
    expect(section?.text?.type).toBe("plain_text");
    expect(section?.text?.text).toContain(`For: slack:${trusted} (${trusted}), role trusted`);
    expect(section?.text?.text).toContain("Command: echo *bold* <!channel>");
    expect(String(prompt.params.text)).toContain("&lt;!channel&gt;");
    expect(await stateOf(gate, id)).toBe("pending");
  });

  it("another user's tap on the owner's button changes nothing and is audited; the owner's Deny runs nothing and tells the sender", async () => {
    const { gate, runner, owner, trusted } = await slackOnlyOwner();
    const { id } = await ask(gate, owner, trusted, "echo denied-one");

    // The sender taps the owner's Allow (a forwarded prompt, a guessed value): refused, only they see why.
    await gate.tap(trusted, `ap:${id}:allow`, dmOf(trusted), "1.1");
    expect(await stateOf(gate, id)).toBe("pending");
    const { events } = await readJson(await admin(gate, "/api/audit?limit=500"), AuditList);
    const refused = events.filter((event) => event.kind === "approval.callback_refused" && event.actor === `slack:${trusted}`);
    expect(refused.map((event) => event.detail.id)).toEqual([id]);
    const [notice] = await gate.sentTo(dmOf(trusted), "chat.postEphemeral");
    expect(notice?.params).toMatchObject({ user: trusted, text: "not allowed" });
    expect(await gate.sentTo(dmOf(owner), "chat.update")).toEqual([]);

    const [posted] = await gate.sentTo(owner);
    await gate.tap(owner, `ap:${id}:deny`, dmOf(owner), "1.1");
    expect(await stateOf(gate, id)).toBe("denied");
    await waitFor(gate, dmOf(trusted), (text) => text.startsWith("❌ The owner denied /run echo denied-one; nothing ran."));
    // The prompt Slack placed in the owner's DM is replaced (chat.update on its channel and ts), buttons gone.
    const [update] = await gate.sentTo(dmOf(owner), "chat.update");
    expect(update?.params.ts).toMatch(/^\d+\.\d{6}$/);
    expect(update?.params.ts).not.toBe(posted?.params.ts);
    expect(String(update?.params.text)).toContain(`❌ Denied by slack:${owner} — nothing ran`);
    expect(buttonsOf(update!)).toEqual([]);
    const [tapAnswer] = await gate.sentTo(dmOf(owner), "chat.postEphemeral");
    expect(tapAnswer?.params).toMatchObject({ user: owner, text: "Denied — nothing runs." });
    expect(runner.executed).toEqual([]);
  });

  it("a decision from the admin API (drawbridge approvals) also replaces the Slack prompt, and a late tap then changes nothing", async () => {
    const { gate, runner, owner, trusted } = await slackOnlyOwner();
    const { id } = await ask(gate, owner, trusted, "echo api-denied");
    const headers = { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-type": "application/json" };
    const body = JSON.stringify({ decision: "deny" });
    expect((await app.request(`/api/approvals/${id}`, { method: "POST", headers, body }, gate.env, executionContext)).status).toBe(200);
    const [update] = await gate.sentTo(dmOf(owner), "chat.update");
    expect(String(update?.params.text)).toContain("❌ Denied by the admin API — nothing ran");
    expect(buttonsOf(update!)).toEqual([]);

    await gate.tap(owner, `ap:${id}:allow`, dmOf(owner), "1.1");
    expect(await stateOf(gate, id)).toBe("denied");
    const [late] = await gate.sentTo(dmOf(owner), "chat.postEphemeral");
    expect(String(late?.params.text)).toContain("already denied");
    expect(runner.executed).toEqual([]);
  });

  it("the owner's Allow once runs the call once; a second tap changes nothing; the result reaches the sender", async () => {
    const { gate, runner, owner, trusted } = await slackOnlyOwner();
    const { id } = await ask(gate, owner, trusted, "echo allowed-one");
    await Promise.all([runner.answerNext(), gate.tap(owner, `ap:${id}:allow`, dmOf(owner), "1.1")]);
    expect(runner.executed).toEqual(["'echo' 'allowed-one'"]);
    await waitFor(gate, dmOf(trusted), (text) => text.includes("ran: 'echo' 'allowed-one'"));
    expect(await stateOf(gate, id)).toBe("allowed");
    const [update] = await gate.sentTo(dmOf(owner), "chat.update");
    expect(String(update?.params.text)).toContain(`✅ Allowed once by slack:${owner}`);

    await gate.tap(owner, `ap:${id}:allow`, dmOf(owner), "1.1");
    const answers = (await gate.sentTo(dmOf(owner), "chat.postEphemeral")).map((call) => String(call.params.text));
    expect(answers.at(-1)).toContain("was already allowed");
    // Had the repeat reached the runner it would be waiting there unanswered; the audit shows one decision.
    const { events } = await readJson(await admin(gate, "/api/audit?limit=500"), AuditList);
    expect(events.filter((event) => event.kind === "approval.decided" && event.detail.id === id)).toHaveLength(1);
    expect(runner.executed).toEqual(["'echo' 'allowed-one'"]);
  });
});
