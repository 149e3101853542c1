import { mayUseRunnerTools } from "../../shared/access/roles.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import type { GatewayConfig } from "../config.js";
import { replyTargetOf, submitCall } from "../tunnel/submit-call.js";
import { formatExecReply } from "./format-reply.js";
import type { InboundMessage } from "./inbound-message.js";
import { sessionOf } from "./session-of.js";

/** Per-exec time limit the runner enforces; the hub waits a little longer than this. */
export const EXEC_TIMEOUT_MS = 30_000;

export const RUNNER_TOOLS_REFUSED = "⛔ Your role does not include runner tools, so nothing ran. Ask the owner if you need them.";

/** Role check, then one call to the runner. Queued (runner offline) or slow calls answer with a notice; the result follows via replyTo. */
export async function callTool(
  env: Env,
  config: GatewayConfig,
  message: InboundMessage,
  request: ToolRequest,
  label: string,
): Promise<string> {
  if (!mayUseRunnerTools(message.role)) return RUNNER_TOOLS_REFUSED;
  const answer = await submitCall(env, {
    runner: config.defaultRunner,
    session: sessionOf(message, config),
    request,
    timeoutMs: EXEC_TIMEOUT_MS,
    replyTo: replyTargetOf(message),
    label,
  });
  return answer.status === "done" ? formatExecReply(answer.outcome) : answer.notice;
}
