import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app.js";
import { executionContext } from "./execution-context.js";
import { ScriptedRunner } from "./approval-harness.js";
import { standIn } from "./assistant-harness.js";
import { dmOf, slackId, SlackHarness } from "./slack-harness.js";
import { newRunnerName, newUserId } from "./test-ids.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";

/** A Slack workspace whose default runner is a scripted one of its own. */
async function slackWithRunner(owner: string, access: unknown = {}): Promise<{ gate: SlackHarness; runner: ScriptedRunner }> {
  const name = newRunnerName("slack");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const gate = new SlackHarness(owner, access, { DEFAULT_RUNNER: name });
  const { tunnel } = await connectRunner(name, key);
  return { gate, runner: new ScriptedRunner(tunnel) };
}

async function waitForMessage(gate: SlackHarness, channel: string, match: (text: string) => boolean): Promise<string[]> {
  const until = Date.now() + 20_000;
  for (;;) {
    const messages = await gate.messagesTo(channel);
    if (messages.some(match)) return messages;
    if (Date.now() > until) throw new Error(`no matching message to ${channel}; got ${JSON.stringify(messages.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the owner is served on Slack end to end", () => {
  it("runs the owner's /run echo on the runner and answers in the Slack DM, with Slack's escaping undone on the way in", async () => {
    const owner = slackId("U");
    const { gate, runner } = await slackWithRunner(owner);
    // Slack sends `>` as `&gt;`; the runner must see what the owner typed.
    await Promise.all([runner.answerNext(), gate.dm(owner, "/run echo hi &gt; out.txt")]);
    expect(runner.executed).toEqual(["echo hi > out.txt"]);
    const [reply] = await gate.messagesTo(dmOf(owner));
    // Going out, the reply is escaped again, so Slack shows it as it is and nothing can ping.
    expect(reply).toContain("ran: echo hi &gt; out.txt");
  });

  it("the assistant answers a plain-text DM through the Slack channel account", async () => {
    const owner = slackId("U");
    const model = `conv-openai-${newUserId()}`;
    const gate = new SlackHarness(owner, {}, { DRAWBRIDGE_MODEL: `openai:${model}`, DRAWBRIDGE_MODEL_BASE_URL: standIn.baseUrl });
    await standIn.script(model, { kind: "text", text: "Hello from the model <!channel>." });
    await gate.dm(owner, "say hello");
    const messages = await waitForMessage(gate, dmOf(owner), (text) => text.startsWith("Hello from the model"));
    expect(messages).toContain("Hello from the model &lt;!channel&gt;.");
    const [request] = await standIn.requests(model);
    expect(JSON.stringify(request)).toContain("say hello");
  });
});

describe("a Slack sender's tool approvals", () => {
  async function decide(gate: SlackHarness, id: string, decision: "allow" | "deny"): Promise<Response> {
    const headers = { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-type": "application/json" };
    return app.request(`/api/approvals/${id}`, { method: "POST", headers, body: JSON.stringify({ decision }) }, gate.env, executionContext);
  }

  it("a trusted sender's /run waits for the owner; a denial is told in their Slack DM and nothing runs; an allow runs it and the result follows there", async () => {
    const owner = slackId("U");
    const trusted = slackId("U");
    const { gate, runner } = await slackWithRunner(owner, { dmPolicy: "allowlist", allowFrom: [trusted], roles: { [trusted]: "trusted" } });

    await gate.dm(trusted, "/run echo denied-one");
    const denied = /Approval ([0-9a-f]{24})/.exec((await gate.messagesTo(dmOf(trusted))).at(-1) ?? "")?.[1];
    expect(denied).toBeDefined();
    expect((await decide(gate, denied!, "deny")).status).toBe(200);
    await waitForMessage(gate, dmOf(trusted), (text) => text.startsWith("❌ The owner denied /run echo denied-one"));

    await gate.dm(trusted, "/run echo allowed-one");
    const allowed = /Approval ([0-9a-f]{24})/.exec((await gate.messagesTo(dmOf(trusted))).at(-1) ?? "")?.[1];
    await Promise.all([runner.answerNext(), decide(gate, allowed!, "allow")]);
    // The policy hands over the command re-quoted; only the allowed one ever reached the runner.
    expect(runner.executed).toEqual(["'echo' 'allowed-one'"]);
    await waitForMessage(gate, dmOf(trusted), (text) => text.includes("ran: 'echo' 'allowed-one'"));
  });
});
