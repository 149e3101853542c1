import { env } from "cloudflare:test";
import { expect, inject } from "vitest";
import { ModelError, type ModelErrorKind } from "../../worker/assistant/model/model-error.js";
import { modelSettingOf, type ModelSetting } from "../../worker/assistant/model/model-setting.js";
import type { ModelTool, StepInput } from "../../worker/assistant/model/model-step.js";
import { ModelStandInControl } from "../support/model-standin-control.js";

export const standIn = new ModelStandInControl(inject("modelStandInRoot"));

/** A key that looks like a real one, fresh per run, so a leak is found by searching for it. */
export const API_KEY = `sk-test-${crypto.randomUUID()}`;

export type Format = "openai" | "anthropic";

/** A model name of its own for each test: the stand-in keys its script on it. */
export function freshModel(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

export function envFor(format: Format, model: string, overrides: Partial<Env> = {}): Env {
  return {
    ...env,
    DRAWBRIDGE_MODEL: `${format}:${model}`,
    DRAWBRIDGE_MODEL_BASE_URL: standIn.baseUrl,
    DRAWBRIDGE_MODEL_API_KEY: API_KEY,
    ...overrides,
  };
}

export function settingOf(testEnv: Env): ModelSetting {
  const setting = modelSettingOf(testEnv);
  if (setting === null) throw new Error("no model configured");
  return setting;
}

export const LS_TOOL: ModelTool = {
  name: "ls",
  description: "List a directory in the workspace.",
  parameters: { type: "object", properties: { path: { type: "string" } }, additionalProperties: false },
};

export const EXEC_TOOL: ModelTool = {
  name: "exec",
  description: "Run a shell command in the sandbox.",
  parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"], additionalProperties: false },
};

export function input(text: string, overrides: Partial<StepInput> = {}): StepInput {
  return {
    system: "You are a test assistant.",
    messages: [{ role: "user", content: text }],
    tools: [LS_TOOL, EXEC_TOOL],
    timeoutMs: 10_000,
    ...overrides,
  };
}

/** Awaits a failure and checks it is a ModelError of `kind` that nowhere carries the API key. */
export async function expectModelError(promise: Promise<unknown>, kind: ModelErrorKind): Promise<ModelError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelError);
  const failure = error as ModelError;
  expect({ kind: failure.kind, userMessage: failure.userMessage }).toMatchObject({ kind });
  expectNoKey(failure);
  return failure;
}

export function expectNoKey(error: ModelError): void {
  const seen = [
    error.message,
    error.userMessage,
    String(error),
    error.stack ?? "",
    JSON.stringify(error),
    error.cause?.message ?? "",
    error.cause?.stack ?? "",
  ];
  for (const text of seen) expect(text).not.toContain(API_KEY);
}
