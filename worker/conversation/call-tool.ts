import { runnerFor } from "../../shared/sessions/runner-routing.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { sessionStub } from "../approvals/approval-stubs.js";
import type { GatewayConfig } from "../config.js";
import { replyTargetOf, submitCall } from "../tunnel/submit-call.js";
import { formatExecReply } from "./format-reply.js";
import type { InboundMessage } from "./inbound-message.js";
import { sessionOf } from "./session-of.js";
import { decideToolFor } from "./tool-decision.js";

/** Per-exec time limit the runner enforces; the hub waits a little longer than this. */
export const EXEC_TIMEOUT_MS = 30_000;

/**
 * The tool policy, then at most one call to the runner. Deny answers with the reason and nothing
 * reaches the tunnel; ask stores an approval in the session and tells the owner; allow submits
 * the request the policy returned (an allowlisted command comes back re-quoted). Queued (runner
 * offline) or slow calls answer with a notice; the result follows via replyTo.
 */
export async function callTool(
  env: Env,
  config: GatewayConfig,
  message: InboundMessage,
  request: ToolRequest,
  label: string,
): Promise<string> {
  const decision = decideToolFor(config, message, request);
  if (decision.kind === "deny") return `⛔ ${decision.reason} Nothing ran.`;
  const session = sessionOf(message, config);
  if (decision.kind === "ask") {
    const asked = await sessionStub(env, session).ask({
      settings: config,
      session,
      request: decision.request,
      label,
      reason: decision.reason,
      asker: { senderKey: message.senderKey, name: message.name ?? "", role: message.role, replyTo: replyTargetOf(message) },
      ttlMs: config.access.tools.approvalTtlMinutes * 60_000,
    });
    if (asked.kind === "full") {
      return `⏳ Too many requests waiting for the owner's approval (${asked.cap}); this one was not sent to them and nothing ran. Ask again once the owner has decided the others (or they expire).`;
    }
    const minutes = Math.max(1, Math.round((asked.expiresAt - Date.now()) / 60_000));
    const told = asked.ownerTold ? "The owner has been asked" : "The owner can decide with `drawbridge approvals`";
    return `🔐 Needs the owner's approval: ${decision.reason}\n${told}; nothing runs unless they allow it within ${minutes} min. Approval ${asked.id}.`;
  }
  const answer = await submitCall(env, {
    runner: runnerFor(config.access.runners, config.defaultRunner, session, decision.request.tool),
    session,
    request: decision.request,
    timeoutMs: EXEC_TIMEOUT_MS,
    replyTo: replyTargetOf(message),
    label,
  });
  return answer.status === "done" ? formatExecReply(answer.outcome) : answer.notice;
}
