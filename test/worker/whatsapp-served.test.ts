import { describe, expect, it } from "vitest";
import { ScriptedRunner } from "./approval-harness.js";
import { standIn } from "./assistant-harness.js";
import { newRunnerName, newUserId } from "./test-ids.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";
import { waId, WhatsAppHarness } from "./whatsapp-harness.js";

/** A WhatsApp number whose default runner is a scripted one of its own. */
async function whatsappWithRunner(owner: string, access: unknown = {}): Promise<{ gate: WhatsAppHarness; runner: ScriptedRunner }> {
  const name = newRunnerName("wa");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const gate = new WhatsAppHarness(owner, access, { DEFAULT_RUNNER: name });
  const { tunnel } = await connectRunner(name, key);
  return { gate, runner: new ScriptedRunner(tunnel) };
}

describe("the owner is served on WhatsApp end to end", () => {
  it("runs the owner's /run echo on the runner and answers in the WhatsApp chat", async () => {
    const owner = waId();
    const { gate, runner } = await whatsappWithRunner(owner);
    await Promise.all([runner.answerNext(), gate.text(owner, "/run echo hi > out.txt")]);
    expect(runner.executed).toEqual(["echo hi > out.txt"]);
    const replies = await gate.textsTo(owner);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("ran: echo hi > out.txt");
  });

  it("the assistant answers a plain-text message through the number's Gatekeeper", async () => {
    const owner = waId();
    const model = `conv-openai-${newUserId()}`;
    const gate = new WhatsAppHarness(owner, {}, { DRAWBRIDGE_MODEL: `openai:${model}`, DRAWBRIDGE_MODEL_BASE_URL: standIn.baseUrl });
    await standIn.script(model, { kind: "text", text: "Hello from the model." });
    await gate.text(owner, "say hello");
    const until = Date.now() + 20_000;
    let texts = await gate.textsTo(owner);
    while (!texts.includes("Hello from the model.") && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      texts = await gate.textsTo(owner);
    }
    expect(texts).toContain("Hello from the model.");
    const [request] = await standIn.requests(model);
    expect(JSON.stringify(request)).toContain("say hello");
  });

  it("a stranger's /run runs nothing: they get a pairing code, not a result", async () => {
    const owner = waId();
    const stranger = waId();
    const { gate, runner } = await whatsappWithRunner(owner);
    await gate.text(stranger, "/run echo pwned");
    expect(runner.executed).toEqual([]);
    const [reply] = await gate.textsTo(stranger);
    expect(reply).toMatch(/pairing code is [A-Z0-9]{8}/);
  });
});
