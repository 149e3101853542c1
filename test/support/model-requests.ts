// Reading what the model stand-in was sent, in either wire format, for end-to-end assertions.
import type { RecordedModelRequest } from "./model-standin-control.js";

export const START_MARKER = /<<<UNTRUSTED_CONTENT id="([^"]*)" source="([^"]*)">>>/g;
export const END_MARKER = /<<<END_UNTRUSTED_CONTENT id="([^"]*)">>>/g;

type Message = { role: string; content: unknown };

/**
 * The tool results a request carries, in order, as the text the model reads: OpenAI `role: "tool"`
 * messages, Anthropic `tool_result` blocks (a string or text blocks) inside user messages.
 */
export function toolResultsOf(request: RecordedModelRequest | undefined): string[] {
  const messages = (request?.body as { messages?: Message[] } | undefined)?.messages ?? [];
  if (request?.format === "openai") {
    return messages.filter((message) => message.role === "tool").map((message) => textOf(message.content));
  }
  return messages.flatMap((message) =>
    Array.isArray(message.content)
      ? (message.content as { type?: string; content?: unknown }[])
          .filter((block) => block.type === "tool_result")
          .map((block) => textOf(block.content))
      : [],
  );
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (part as { text?: unknown }).text).join("");
  return JSON.stringify(content);
}

/** The tool names a request offers the model (both formats). */
export function toolsOfferedIn(request: RecordedModelRequest | undefined): string[] {
  const tools = (request?.body as { tools?: { name?: string; function?: { name: string } }[] } | undefined)?.tools ?? [];
  return tools.map((tool) => tool.function?.name ?? tool.name ?? "");
}

/** The start and end markers found in a text: their ids, in order. */
export function markersIn(text: string): { starts: string[]; ends: string[] } {
  return {
    starts: [...text.matchAll(START_MARKER)].map((m) => m[1] ?? ""),
    ends: [...text.matchAll(END_MARKER)].map((m) => m[1] ?? ""),
  };
}

/** The content between one result's real markers (the block as wrapUntrusted makes it), or null. */
export function blockContent(result: string): { id: string; source: string; content: string } | null {
  const m = /^<<<UNTRUSTED_CONTENT id="([0-9a-f]{16,})" source="([^"\n]*)">>>\n([\s\S]*)\n<<<END_UNTRUSTED_CONTENT id="\1">>>$/.exec(
    result,
  );
  if (!m) return null;
  return { id: m[1] ?? "", source: m[2] ?? "", content: m[3] ?? "" };
}
