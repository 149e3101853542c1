import { clipForModel, wrapUntrusted } from "../../shared/assistant/untrusted-content.js";
import type { ToolOutcome, ToolRequest } from "../../shared/tools/tool-call.js";

/** What the model is told a tool produced: the outcome as text, clipped, always inside an untrusted-content block. */
export function outcomeText(outcome: ToolOutcome): string {
  if (!outcome.ok) return `error (${outcome.error.code}): ${outcome.error.message}`;
  const output = outcome.output;
  if (!("tool" in output)) {
    const exit = output.exitCode === null ? "none (stopped)" : String(output.exitCode);
    return [`exit code: ${exit}`, "--- stdout ---", output.stdout, "--- stderr ---", output.stderr].join("\n");
  }
  if (output.tool === "read") return output.content;
  return JSON.stringify(output, null, 1);
}

/** Where a result came from, shown in the block's `source`. */
export function sourceOf(request: ToolRequest | null, toolName: string): string {
  if (!request) return `drawbridge: ${toolName}`;
  switch (request.tool) {
    case "exec":
      return `exec: ${request.args.command}`;
    case "ls":
      return `ls ${request.args.path ?? "."}`;
    default:
      return `${request.tool} ${request.args.path}`;
  }
}

/**
 * The result block for one call, within the turn's remaining byte allowance. Returns the text and
 * the bytes it spent; a clip is marked inside the block, so the model can say the output was cut.
 */
export function resultBlock(
  text: string,
  source: string,
  limits: { perResult: number; left: number },
): { text: string; bytes: number; clipped: boolean } {
  const allowance = Math.max(0, Math.min(limits.perResult, limits.left));
  const clipped = clipForModel(text, allowance);
  return { text: wrapUntrusted(clipped.text, source), bytes: new TextEncoder().encode(clipped.text).length, clipped: clipped.clipped };
}
