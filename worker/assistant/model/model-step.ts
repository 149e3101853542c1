import { APICallError, generateText, jsonSchema, tool, type JSONSchema7, type ModelMessage, type ToolSet } from "ai";
import { classifyFailure } from "./classify-failure.js";
import { ModelError } from "./model-error.js";
import type { ModelSetting } from "./model-setting.js";
import { providerModel } from "./provider-model.js";
import { retryAfterMs } from "./retry-after.js";

/** A tool the model is offered: its parameters are a JSON Schema (from the shared zod schemas). */
export type ModelTool = { name: string; description: string; parameters: Record<string, unknown> };

export type StepInput = { system: string; messages: ModelMessage[]; tools: ModelTool[]; timeoutMs: number };

/** A call the model asked for, as it asked: `input` is parsed JSON, or the raw text when it was not JSON. */
export type StepToolCall = { id: string; name: string; input: unknown };

export type StepResult = {
  text: string;
  toolCalls: StepToolCall[];
  usage: { inputTokens: number; outputTokens: number };
  finishReason: string;
  /** The assistant's turn as plain JSON, to store and to send back in the next step's messages. */
  responseMessages: ModelMessage[];
};

/** The longest `retry-after` we sit through; a longer one is reported at once. */
const MAX_RETRY_WAIT_MS = 20_000;
/** Plenty for a chat reply (Telegram splits anything longer than 4,096 characters anyway). */
const ANTHROPIC_MAX_OUTPUT_TOKENS = 4096;
/** The wait when a 429 names none. */
const DEFAULT_RETRY_WAIT_MS = 2_000;

/**
 * One model step and nothing more: the agent loop decides, runs and records every tool call
 * itself (it must survive a restart), so tools carry no `execute` and the SDK runs none. Every
 * call the model made comes back, even to an unknown tool or with arguments that fail the schema,
 * so the loop can refuse it and tell the model why. A 429 is retried once, here; the SDK's own
 * retries are off. Every failure is a ModelError.
 */
export async function modelStep(
  env: Env,
  setting: ModelSetting,
  input: StepInput,
  options: { fetch?: typeof fetch } = {},
): Promise<StepResult> {
  const secret = env.DRAWBRIDGE_MODEL_API_KEY;
  const deadline = Date.now() + input.timeoutMs;
  const model = providerModel(env, setting, options.fetch);
  const tools = toolSetOf(input.tools);
  let retried = false;
  for (;;) {
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
      const result = await generateText({
        model,
        system: input.system,
        messages: input.messages,
        tools,
        maxRetries: 0,
        // Anthropic needs a cap and warns when it must guess one for a model it does not know.
        ...(setting.provider === "anthropic" ? { maxOutputTokens: ANTHROPIC_MAX_OUTPUT_TOKENS } : {}),
        abortSignal: signal,
      });
      return {
        text: result.text,
        toolCalls: result.toolCalls.map((call) => ({ id: call.toolCallId, name: call.toolName, input: call.input as unknown })),
        usage: { inputTokens: result.usage.inputTokens ?? 0, outputTokens: result.usage.outputTokens ?? 0 },
        finishReason: result.finishReason,
        responseMessages: assistantMessagesOf(result.response.messages),
      };
    } catch (error) {
      const wait = retried ? null : retryWait(error, deadline);
      if (wait === null) throw classifyFailure(error, setting, secret, signal.aborted);
      retried = true;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The tool result the loop sends back for a call: text (already wrapped as untrusted by the loop). */
export function toolResultMessage(call: StepToolCall, text: string): ModelMessage {
  return {
    role: "tool",
    content: [{ type: "tool-result", toolCallId: call.id, toolName: call.name, output: { type: "text", value: text } }],
  };
}

function toolSetOf(tools: ModelTool[]): ToolSet {
  const set: ToolSet = {};
  for (const offered of tools) {
    set[offered.name] = tool({ description: offered.description, inputSchema: jsonSchema(offered.parameters as JSONSchema7) });
  }
  return set;
}

/**
 * Only the assistant's messages: for a call it could not parse the SDK also answers with its own
 * tool-error message, which would doubly answer the call once the loop adds its refusal.
 * A JSON round trip makes sure what the loop stores is plain data.
 */
function assistantMessagesOf(messages: ModelMessage[]): ModelMessage[] {
  return JSON.parse(JSON.stringify(messages.filter((message) => message.role === "assistant"))) as ModelMessage[];
}

/** How long to wait before the one retry of a 429, or null when there is none to make. */
function retryWait(error: unknown, deadline: number): number | null {
  if (error instanceof ModelError || !APICallError.isInstance(error) || error.statusCode !== 429) return null;
  const wait = retryAfterMs(error.responseHeaders) ?? DEFAULT_RETRY_WAIT_MS;
  // A wait past the cap or the step's deadline would only end in a timeout: report the 429 instead.
  return wait > MAX_RETRY_WAIT_MS || Date.now() + wait >= deadline ? null : wait;
}
