import { describe, expect, it } from "vitest";
import { modelStep, toolResultMessage } from "../../worker/assistant/model/model-step.js";
import { API_KEY, envFor, freshModel, input, settingOf, standIn, type Format } from "./model-harness.js";

type Body = Record<string, unknown> & { tools?: Array<Record<string, unknown>>; messages?: unknown[] };

describe.each<Format>(["openai", "anthropic"])("one model step, %s wire format", (format) => {
  it("returns the model's text with its token usage, and the key went only into the auth header", async () => {
    const model = freshModel("text");
    await standIn.script(model, { kind: "text", text: "Hello from the model.", usage: { inputTokens: 42, outputTokens: 7 } });
    const testEnv = envFor(format, model);

    const result = await modelStep(testEnv, settingOf(testEnv), input("say hello"));

    expect(result).toMatchObject({
      text: "Hello from the model.",
      toolCalls: [],
      usage: { inputTokens: 42, outputTokens: 7 },
      finishReason: "stop",
    });
    const [request] = await standIn.requests(model);
    if (format === "openai") {
      expect(request?.path).toBe("/v1/chat/completions");
      expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request?.headers["x-api-key"]).toBeUndefined();
    } else {
      expect(request?.path).toBe("/v1/messages");
      expect(request?.headers["x-api-key"]).toBe(API_KEY);
      expect(request?.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(request?.headers.authorization).toBeUndefined();
    }
    // The key is in the header and nowhere in the body the model provider was sent.
    expect(JSON.stringify(request?.body)).not.toContain(API_KEY);
    expect(JSON.stringify(request?.body)).toContain("You are a test assistant.");
    expect(JSON.stringify(request?.body)).toContain("say hello");
  });

  it("returns a tool call with its id and arguments, having offered the tools with their JSON schemas", async () => {
    const model = freshModel("tool");
    await standIn.script(model, { kind: "tool_calls", calls: [{ id: "call_ls_1", name: "ls", input: { path: "src" } }] });
    const testEnv = envFor(format, model);

    const result = await modelStep(testEnv, settingOf(testEnv), input("what is in src?"));

    expect(result.toolCalls).toEqual([{ id: "call_ls_1", name: "ls", input: { path: "src" } }]);
    expect(result.finishReason).toBe("tool-calls");
    const body = (await standIn.requests(model))[0]?.body as Body;
    const offered = (body.tools ?? []).map((t) =>
      format === "openai" ? (t.function as { name: string; parameters: unknown }) : { name: t.name, parameters: t.input_schema },
    );
    expect(offered.map((t) => t.name)).toEqual(["ls", "exec"]);
    expect(offered[1]?.parameters).toMatchObject({ type: "object", properties: { command: { type: "string" } }, required: ["command"] });
  });

  it("offers no tools at all when the sender may use none", async () => {
    const model = freshModel("no-tools");
    await standIn.script(model, { kind: "text", text: "just talk" });
    const testEnv = envFor(format, model);

    await expect(modelStep(testEnv, settingOf(testEnv), input("hi", { tools: [] }))).resolves.toMatchObject({ text: "just talk" });
    const body = (await standIn.requests(model))[0]?.body as Body;
    expect(body.tools ?? []).toEqual([]);
  });

  it("returns calls to unknown tools and calls with invalid arguments instead of dropping them", async () => {
    const model = freshModel("invalid");
    const calls = [
      { id: "call_a", name: "rm_rf", input: { path: "/" } },
      { id: "call_b", name: "exec", input: { command: 42, extra: true } },
      { id: "call_c", name: "exec", input: format === "openai" ? '{"command": "ls' : "not an object" },
      { id: "call_d", name: "ls", input: {} },
    ];
    await standIn.script(model, { kind: "tool_calls", calls });
    const testEnv = envFor(format, model);

    const result = await modelStep(testEnv, settingOf(testEnv), input("try everything"));

    expect(result.toolCalls.map((call) => [call.id, call.name])).toEqual([
      ["call_a", "rm_rf"],
      ["call_b", "exec"],
      ["call_c", "exec"],
      ["call_d", "ls"],
    ]);
    expect(result.toolCalls[0]?.input).toEqual({ path: "/" });
    expect(result.toolCalls[1]?.input).toEqual({ command: 42, extra: true });
    expect(result.toolCalls[2]?.input).toBe(format === "openai" ? '{"command": "ls' : "not an object");
    // Only the assistant's own message: the loop answers every call itself, the SDK answers none.
    expect(result.responseMessages.map((message) => message.role)).toEqual(["assistant"]);
  });

  it("takes its own answer and the tool results back in the next step, as plain stored JSON", async () => {
    const model = freshModel("two-step");
    await standIn.script(
      model,
      {
        kind: "tool_calls",
        text: "Let me look.",
        calls: [
          { id: "call_1", name: "ls", input: { path: "." } },
          { id: "call_2", name: "nope", input: {} },
        ],
      },
      { kind: "text", text: "There are two files." },
    );
    const testEnv = envFor(format, model);
    const setting = settingOf(testEnv);
    const first = input("list the workspace");

    const step1 = await modelStep(testEnv, setting, first);
    // What the loop stores in SQLite and reads back after a restart.
    const stored = JSON.parse(JSON.stringify(step1.responseMessages)) as typeof step1.responseMessages;
    const [ls, nope] = step1.toolCalls;
    if (!ls || !nope) throw new Error("expected two tool calls");
    const messages = [
      ...first.messages,
      ...stored,
      toolResultMessage(ls, "RESULT-a.txt b.txt"),
      toolResultMessage(nope, "REFUSED: no tool nope"),
    ];
    const step2 = await modelStep(testEnv, setting, { ...first, messages });

    expect(step2.text).toBe("There are two files.");
    const body = (await standIn.requests(model))[1]?.body as Body;
    const sent = JSON.stringify(body.messages);
    expect(sent).toContain("RESULT-a.txt b.txt");
    expect(sent).toContain("REFUSED: no tool nope");
    expect(sent).toContain("Let me look.");
    if (format === "openai") {
      expect(body.messages).toContainEqual(
        expect.objectContaining({ role: "tool", tool_call_id: "call_1", content: "RESULT-a.txt b.txt" }),
      );
      expect(body.messages).toContainEqual(
        expect.objectContaining({ role: "assistant", tool_calls: expect.arrayContaining([expect.objectContaining({ id: "call_1" })]) }),
      );
    } else {
      expect(sent).toContain('"tool_use_id":"call_1"');
      expect(sent).toContain('"type":"tool_use","id":"call_1"');
    }
  });
});

describe("the stand-in's model list", () => {
  it("answers GET /v1/models as an OpenAI-compatible server does", async () => {
    const response = await fetch(`${standIn.baseUrl}/models`);
    const listed = await response.json<{ object: string; data: Array<{ id: string }> }>();
    expect(listed.object).toBe("list");
    expect(listed.data[0]?.id).toEqual(expect.any(String));
  });
});
