import type { GatewayConfig } from "../config.js";
import { EXEC_TIMEOUT_MS } from "../conversation/call-tool.js";
import { clampReply, formatExecReply } from "../conversation/format-reply.js";
import { submitCall } from "../tunnel/submit-call.js";
import type { Approval } from "./approval.js";

/**
 * The one submission an Allow once buys. Only the decision that won the state change calls this,
 * so the call reaches the runner once; a result that is not ready in time follows via replyTo.
 */
export async function runApproved(env: Env, settings: GatewayConfig, approval: Approval): Promise<{ text: string; forSender: string }> {
  const head = `✅ The owner allowed ${approval.label}.`;
  try {
    const answer = await submitCall(env, {
      runner: settings.defaultRunner,
      session: approval.session,
      request: approval.request,
      timeoutMs: EXEC_TIMEOUT_MS,
      replyTo: approval.asker.replyTo,
      label: approval.label,
    });
    const text = answer.status === "done" ? formatExecReply(answer.outcome) : answer.notice;
    return { text, forSender: clampReply(`${head}\n\n${text}`) };
  } catch (error) {
    console.error(JSON.stringify({ event: "approval.submit_failed", id: approval.id, error: String(error) }));
    const text = "⚠️ Handing the call to the home runner failed; it may not have run. Check its effects before asking again.";
    return { text, forSender: `${head}\n\n${text}` };
  }
}
