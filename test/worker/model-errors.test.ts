import { describe, expect, it } from "vitest";
import { modelStep } from "../../worker/assistant/model/model-step.js";
import type { ScriptedReply } from "../support/model-standin-control.js";
import { API_KEY, envFor, expectModelError, freshModel, input, settingOf, standIn, type Format } from "./model-harness.js";

async function stepAgainst(format: Format, ...replies: ScriptedReply[]): Promise<{ model: string; step: Promise<unknown> }> {
  const model = freshModel("err");
  await standIn.script(model, ...replies);
  const testEnv = envFor(format, model);
  return { model, step: modelStep(testEnv, settingOf(testEnv), input("hello", { timeoutMs: 15_000 })) };
}

describe.each<Format>(["openai", "anthropic"])("model failures, %s wire format", (format) => {
  it("401 is auth and tells how to set the key, even when the provider echoes the key back", async () => {
    const message = `Incorrect API key provided: ${API_KEY}`;
    const echo =
      format === "openai"
        ? { error: { message, type: "invalid_request_error" } }
        : { type: "error", error: { type: "authentication_error", message } };
    const { step } = await stepAgainst(format, { kind: "error", status: 401, body: echo });
    const error = await expectModelError(step, "auth");
    expect(error.status).toBe(401);
    expect(error.userMessage).toContain("wrangler secret put DRAWBRIDGE_MODEL_API_KEY");
    expect(error.cause?.message).toContain("[redacted]");
  });

  it("403 is auth", async () => {
    const { step } = await stepAgainst(format, { kind: "error", status: 403 });
    expect((await expectModelError(step, "auth")).status).toBe(403);
  });

  it("404 is unknown_model and names the model", async () => {
    const { model, step } = await stepAgainst(format, { kind: "error", status: 404 });
    expect((await expectModelError(step, "unknown_model")).userMessage).toContain(model);
  });

  it("429 with retry-after is retried once after the wait, then answers", async () => {
    const { model, step } = await stepAgainst(
      format,
      { kind: "error", status: 429, headers: { "retry-after": "1" } },
      { kind: "text", text: "after the wait" },
    );
    await expect(step).resolves.toMatchObject({ text: "after the wait" });
    expect(await standIn.requests(model)).toHaveLength(2);
  });

  it("429 with an HTTP-date retry-after is honoured too", async () => {
    const at = new Date(Date.now() + 1500).toUTCString();
    const { model, step } = await stepAgainst(
      format,
      { kind: "error", status: 429, headers: { "retry-after": at } },
      { kind: "text", text: "dated" },
    );
    await expect(step).resolves.toMatchObject({ text: "dated" });
    expect(await standIn.requests(model)).toHaveLength(2);
  });

  it("429 twice is rate_limited after exactly one retry", async () => {
    const limited: ScriptedReply = { kind: "error", status: 429, headers: { "retry-after": "0" } };
    const { model, step } = await stepAgainst(format, limited, limited, { kind: "text", text: "never reached" });
    expect((await expectModelError(step, "rate_limited")).status).toBe(429);
    expect(await standIn.requests(model)).toHaveLength(2);
  });

  it("429 asking for a wait past the cap is rate_limited at once, without sitting through it", async () => {
    const { model, step } = await stepAgainst(
      format,
      { kind: "error", status: 429, headers: { "retry-after": "3600" } },
      { kind: "text", text: "no" },
    );
    await expectModelError(step, "rate_limited");
    expect(await standIn.requests(model)).toHaveLength(1);
  });

  it("500 and 503 are server errors, not retried", async () => {
    const first = await stepAgainst(format, { kind: "error", status: 500 }, { kind: "text", text: "no" });
    expect((await expectModelError(first.step, "server")).status).toBe(500);
    expect(await standIn.requests(first.model)).toHaveLength(1);
    const second = await stepAgainst(format, { kind: "error", status: 503, body: "upstream down" });
    expect((await expectModelError(second.step, "server")).status).toBe(503);
  });

  it("an answer slower than the step's timeout is timeout", async () => {
    const model = freshModel("slow");
    await standIn.script(model, { kind: "text", text: "too late", delayMs: 3000 });
    const testEnv = envFor(format, model);
    const error = await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hello", { timeoutMs: 300 })), "timeout");
    expect(error.userMessage).toContain(`${format}:${model}`);
  });

  it("garbage that is not JSON is malformed", async () => {
    const { step } = await stepAgainst(format, { kind: "garbage", body: "<html>definitely not json{", contentType: "text/html" });
    await expectModelError(step, "malformed");
  });

  it("JSON of the wrong shape is malformed", async () => {
    const { step } = await stepAgainst(format, { kind: "garbage", body: JSON.stringify({ hello: "world", choices: "no", content: 7 }) });
    await expectModelError(step, "malformed");
  });

  it("a 400 carries the provider's own words, scrubbed", async () => {
    const body = { error: { message: `This model does not support tools (key ${API_KEY})`, type: "invalid_request_error" } };
    const { step } = await stepAgainst(format, { kind: "error", status: 400, body });
    const error = await expectModelError(step, "server");
    expect(error.userMessage).toContain("does not support tools");
  });
});
