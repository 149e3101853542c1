import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotApiCall } from "../support/bot-api-standin.js";
import { blockContent, toolResultsOf } from "../support/model-requests.js";
import { ModelStandIn } from "../support/model-standin.js";
import { OWNER_ID, TestStack, textUpdate } from "../support/test-stack.js";
import { AuditList, type AuditLine } from "../../shared/admin-api.js";

// Acceptance 7 end to end: the model runs on the home box. The stand-in listens on 127.0.0.1 only,
// the runner process is told its URL (as npm start does), and the Worker has `home:` with no base
// URL and no key, so the only way to the model is over the runner's tunnel.
const HOME_MODEL = "e2e-home-model";

const model = new ModelStandIn();
const stack = new TestStack();
beforeAll(async () => {
  const root = await model.start();
  expect(new URL(root).hostname).toBe("127.0.0.1");
  stack.configure({ env: { DRAWBRIDGE_MODEL: `home:${HOME_MODEL}` }, runnerEnv: { DRAWBRIDGE_HOME_MODEL_URL: `${root}/v1` } });
  await stack.start();
}, 180_000);
afterAll(async () => {
  await stack.stop();
  await model.stop();
}, 60_000);

/** The gateway's audit line for the turn that began with `prompt`. */
async function turnAudit(prompt: string): Promise<AuditLine | undefined> {
  const { events } = await stack.read(AuditList, "GET", "/api/audit?limit=100");
  return events.find((event) => event.kind.startsWith("assistant.") && event.detail.prompt === prompt);
}

const toOwner = (predicate: (text: string) => boolean, from: number) => (call: BotApiCall) =>
  stack.botApi.calls.indexOf(call) >= from &&
  call.method === "sendMessage" &&
  call.params.chat_id === String(OWNER_ID) &&
  predicate(String(call.params.text));

describe("the home: provider end to end (real gateway, runner, Docker; model stand-in on the runner's loopback)", () => {
  it("a turn reaches the model through the tunnel, with no key, and its ls runs on the runner", async () => {
    const answer = "At home: your workspace is empty.";
    model.script(HOME_MODEL, { kind: "tool_calls", calls: [{ name: "ls", input: {} }] }, { kind: "text", text: answer });
    const from = stack.botApi.calls.length;
    await stack.postUpdate(textUpdate(OWNER_ID, "what is in my workspace?"));
    await stack.botApi.waitFor(
      toOwner((text) => text === answer, from),
      60_000,
    );

    const requests = model.requests(HOME_MODEL);
    expect(requests.map((request) => `${request.format} ${request.path}`)).toEqual([
      "openai /v1/chat/completions",
      "openai /v1/chat/completions",
    ]);
    for (const request of requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers["x-api-key"]).toBeUndefined();
    }
    expect(blockContent(toolResultsOf(requests[1]).at(-1) ?? "")?.source).toBe("ls .");
    // The runner relayed both requests (its audit says so, without their text).
    const audit = await readFile(stack.stateFile("audit.jsonl"), "utf8");
    const relayed = audit.split("\n").filter((line) => line.includes("/chat/completions"));
    expect(relayed).toHaveLength(2);
    expect(audit).not.toContain("what is in my workspace?");
    expect(await turnAudit("what is in my workspace?")).toMatchObject({
      kind: "assistant.turn",
      detail: { model: `home:${HOME_MODEL}`, steps: 2, calls: "ls:allow", outcome: "answered" },
    });
  });

  it("with the runner stopped, the sender is told the home model is offline — the message is answered, not lost", async () => {
    await stack.stopRunner();
    const before = model.requests(HOME_MODEL).length;
    const from = stack.botApi.calls.length;
    await stack.postUpdate(textUpdate(OWNER_ID, "are you there?"));
    const reply = await stack.botApi.waitFor(
      toOwner(() => true, from),
      60_000,
    );
    expect(String(reply.params.text)).toBe("⚠️ The home model is offline: the runner that serves it is not connected.");
    expect(model.requests(HOME_MODEL)).toHaveLength(before);
    expect(await turnAudit("are you there?")).toMatchObject({
      kind: "assistant.model_failed",
      detail: { model: `home:${HOME_MODEL}`, steps: 0, outcome: "model_error" },
    });

    // The runner back: the next message reaches the model again.
    await stack.startRunner();
    model.script(HOME_MODEL, { kind: "text", text: "Back home." });
    const later = stack.botApi.calls.length;
    await stack.postUpdate(textUpdate(OWNER_ID, "and now?"));
    await stack.botApi.waitFor(
      toOwner((text) => text === "Back home.", later),
      60_000,
    );
    // The history kept the offline exchange: the model sees the question and what the sender was told.
    const last = JSON.stringify(model.requests(HOME_MODEL).at(-1)?.body);
    expect(last).toContain("are you there?");
    expect(last).toContain("The home model is offline");
  });
});
