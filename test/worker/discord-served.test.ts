import { describe, expect, it } from "vitest";
import { ScriptedRunner } from "./approval-harness.js";
import { standIn } from "./assistant-harness.js";
import { contentOf, DiscordHarness, dmOf, snowflake, type DiscordCall } from "./discord-harness.js";
import { newRunnerName, newUserId } from "./test-ids.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";

/** A Discord application whose default runner is a scripted one of its own. */
async function discordWithRunner(owner: string): Promise<{ gate: DiscordHarness; runner: ScriptedRunner }> {
  const name = newRunnerName("discord");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const gate = await DiscordHarness.create(owner, {}, { DEFAULT_RUNNER: name });
  const { tunnel } = await connectRunner(name, key);
  return { gate, runner: new ScriptedRunner(tunnel) };
}

describe("the owner is served on Discord end to end", () => {
  it("/run echo goes to the runner as typed and its result comes back as the interaction's follow-up, split to fit 2,000 characters", async () => {
    const owner = snowflake();
    const { gate, runner } = await discordWithRunner(owner);
    const interaction = gate.command(owner, "run", { command: "echo hi > out.txt" });
    const [, response] = await Promise.all([runner.answerNext(), gate.postRaw(JSON.stringify(interaction))]);
    expect(await response.json()).toEqual({ type: 5 });
    await gate.settle();
    expect(runner.executed).toEqual(["echo hi > out.txt"]);
    const [reply] = await gate.followups(String(interaction.token));
    expect(reply).toContain("ran: echo hi > out.txt");

    // A long result: several follow-ups, in order, none over Discord's limit, nothing lost.
    const long = `echo ${"a".repeat(1500)} ${"b".repeat(1500)}`;
    const second = gate.command(owner, "run", { command: long });
    await Promise.all([runner.answerNext(), gate.postRaw(JSON.stringify(second))]);
    await gate.settle();
    const parts = await gate.followups(String(second.token));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    const joined = parts.join("");
    expect(joined.indexOf("a".repeat(1500))).toBeLessThan(joined.indexOf("b".repeat(1500)));
    // Nothing went to the channel as a bot message: the follow-ups carried it all.
    expect(await gate.posted(dmOf(owner))).toEqual([]);
  });
});

describe("the assistant on Discord", () => {
  it("/ask starts a turn: the interaction is answered at once, and the model's words follow in the channel without pinging anyone", async () => {
    const owner = snowflake();
    const model = `conv-openai-${newUserId()}`;
    const gate = await DiscordHarness.create(
      owner,
      {},
      { DRAWBRIDGE_MODEL: `openai:${model}`, DRAWBRIDGE_MODEL_BASE_URL: standIn.baseUrl },
    );
    await standIn.script(model, { kind: "text", text: "Hello from the model @everyone." });
    const { token } = await gate.slash(owner, "ask", { text: "say hello" });
    expect(await gate.followups(token)).toEqual(["💭 On it — the answer follows in this chat."]);
    const until = Date.now() + 20_000;
    let said: DiscordCall[] = [];
    while (said.length === 0 && Date.now() < until) {
      said = (await gate.posted(dmOf(owner))).filter((call) => contentOf(call).startsWith("Hello from the model"));
      if (said.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(said.map(contentOf)).toEqual(["Hello from the model @everyone."]);
    expect(said[0]?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    const [request] = await standIn.requests(model);
    expect(JSON.stringify(request)).toContain("say hello");
  });
});
