import { routeFor } from "../../shared/sessions/runner-routing.js";
import type { SessionKey } from "../../shared/tools/tool-call.js";
import type { GatewayConfig } from "../config.js";
import { sessionStub } from "../objects/stubs.js";
import { EXEC_TIMEOUT_MS } from "../policy/exec-timeout.js";
import { clampReply, formatExecReply } from "../replies/format-reply.js";
import { replyTargetOf, submitCall } from "../tunnel/submit-call.js";
import type { InboundMessage } from "./inbound-message.js";
import type { MessagePlan } from "./message-plan.js";

/**
 * Acts on the plan's tool decision, with at most one call to the runner. Deny answers with the
 * reason and nothing reaches the tunnel; ask stores an approval in the session and tells the
 * owner; allow submits the request the policy returned (an allowlisted command comes back
 * re-quoted). Queued (runner offline) or slow calls answer with a notice; the result follows via replyTo.
 */
export async function callTool(
  env: Env,
  config: GatewayConfig,
  message: InboundMessage,
  session: SessionKey,
  plan: Extract<MessagePlan, { kind: "tool" }>,
): Promise<string> {
  const { decision, label } = plan;
  if (decision.kind === "deny") return `⛔ ${decision.reason} Nothing ran.`;
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
  const route = routeFor(config.access.runners, config.defaultRunner, session, decision.request.tool);
  const answer = await submitCall(env, {
    ...route,
    session,
    request: decision.request,
    timeoutMs: EXEC_TIMEOUT_MS,
    replyTo: replyTargetOf(message),
    label,
  });
  if (answer.status !== "done") return answer.notice;
  // Failover: the sender hears which runner served, since its files and state are that box's.
  const reply = formatExecReply(answer.outcome);
  return answer.movedTo ? clampReply(`🔀 Ran on runner "${answer.movedTo}" (failover from "${route.runner}").\n${reply}`) : reply;
}
