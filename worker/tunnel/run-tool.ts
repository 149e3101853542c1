import type { SessionKey, ToolOutcome, ToolRequest } from "../../shared/tools/tool-call.js";
import { submitCall, type ReplyTarget } from "./submit-call.js";

/**
 * One tool call as a single outcome, for callers that cannot say "the result will follow":
 * a queued or still-running call answers with a notice (the result is delivered to `replyTo`).
 */
export async function runTool(
  env: Env,
  runner: string,
  session: SessionKey,
  request: ToolRequest,
  timeoutMs: number,
  replyTo: ReplyTarget | null = null,
): Promise<ToolOutcome> {
  const answer = await submitCall(env, { runner, session, request, timeoutMs, replyTo, label: request.tool });
  if (answer.status === "done") return answer.outcome;
  return { ok: false, error: { code: answer.status === "queued" ? "runner_offline" : "runner_timeout", message: answer.notice } };
}
