// The stand-in's answers in each provider's wire format, shaped as the real APIs send them.
import type { ScriptedToolCall, ScriptedUsage } from "./model-standin-control.js";

export type Answer = { id: string; model: string; text: string; calls: ScriptedToolCall[]; usage: ScriptedUsage };

/** OpenAI Chat Completions: `choices[0].message` with `tool_calls` whose arguments are a JSON string. */
export function openAiAnswer(answer: Answer): unknown {
  const toolCalls = answer.calls.map((call, i) => ({
    id: call.id ?? `call_${answer.id}_${i}`,
    type: "function",
    function: { name: call.name, arguments: typeof call.input === "string" ? call.input : JSON.stringify(call.input) },
  }));
  return {
    id: `chatcmpl-${answer.id}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: answer.text === "" ? null : answer.text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: {
      prompt_tokens: answer.usage.inputTokens,
      completion_tokens: answer.usage.outputTokens,
      total_tokens: answer.usage.inputTokens + answer.usage.outputTokens,
    },
  };
}

/** Anthropic Messages: text and `tool_use` content blocks (input is an object on the real API). */
export function anthropicAnswer(answer: Answer): unknown {
  const content: unknown[] = answer.text === "" ? [] : [{ type: "text", text: answer.text }];
  answer.calls.forEach((call, i) => {
    content.push({ type: "tool_use", id: call.id ?? `toolu_${answer.id}_${i}`, name: call.name, input: anthropicInput(call.input) });
  });
  return {
    id: `msg_${answer.id}`,
    type: "message",
    role: "assistant",
    model: answer.model,
    content,
    stop_reason: answer.calls.length > 0 ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: answer.usage.inputTokens, output_tokens: answer.usage.outputTokens },
  };
}

function anthropicInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

const OPENAI_ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "Invalid request"],
  401: ["invalid_request_error", "Incorrect API key provided."],
  403: ["permission_denied", "You are not allowed to use this model."],
  404: ["invalid_request_error", "The model does not exist or you do not have access to it."],
  429: ["rate_limit_exceeded", "Rate limit reached. Please try again later."],
};

export function openAiError(status: number): unknown {
  const [type, message] = OPENAI_ERRORS[status] ?? ["server_error", "The server had an error while processing your request."];
  return { error: { message, type, param: null, code: null } };
}

const ANTHROPIC_ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "Invalid request"],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "model: not found"],
  429: ["rate_limit_error", "Number of request tokens has exceeded your rate limit."],
  529: ["overloaded_error", "Overloaded"],
};

export function anthropicError(status: number): unknown {
  const [type, message] = ANTHROPIC_ERRORS[status] ?? ["api_error", "Internal server error"];
  return { type: "error", error: { type, message } };
}
