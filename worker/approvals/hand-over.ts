import type { Api } from "grammy";
import { routeFor } from "../../shared/sessions/runner-routing.js";
import type { GatewayConfig } from "../config.js";
import { EXEC_TIMEOUT_MS } from "../policy/exec-timeout.js";
import { clampReply, formatExecReply } from "../replies/format-reply.js";
import { assistantStub } from "../objects/stubs.js";
import { runnerOfCall } from "../tunnel/hubs.js";
import type { submitCall } from "../tunnel/submit-call.js";
import { auditApproval, tellSender } from "./approval-effects.js";
import type { ApprovalRows } from "./approval-rows.js";
import type { Approval } from "./approval.js";

/** A failed hand-over is retried by the session's alarm after 15 s, 30 s, 60 s, …; after this many it gives up. */
export const HANDOVER_RETRY_MS = 15_000;
export const MAX_HANDOVERS = 5;

/** `settings`: the config the session last saw, for the route's failover runners (none without it). */
export type HandOverHost = {
  env: Env;
  rows: ApprovalRows;
  api: Api;
  now: number;
  submit: typeof submitCall;
  settings?: GatewayConfig | null;
};

/**
 * Hands an allowed call to its runner's outbox and tells the sender the outcome. Every attempt
 * submits the call id chosen when it was allowed, and the hub adds a call id once: a retry after
 * a crash finds the call (and its result) instead of running it again. The sender is told before
 * the hand-over is marked done, so a crash in between repeats the message, never loses it.
 */
export async function handOver(host: HandOverHost, approval: Approval): Promise<string> {
  const head = `✅ The owner allowed ${approval.label}.`;
  const runner = approval.callId === null ? null : runnerOfCall(approval.callId);
  try {
    if (approval.callId === null || runner === null) throw new Error(`approval ${approval.id} has no call id`);
    const answer = await host.submit(host.env, {
      callId: approval.callId,
      runner,
      session: approval.session,
      request: approval.request,
      timeoutMs: EXEC_TIMEOUT_MS,
      replyTo: approval.asker.replyTo,
      label: approval.label,
      ...failoverOf(host.settings, approval, runner),
    });
    const text = answer.status === "done" ? formatExecReply(answer.outcome) : answer.notice;
    const target = approval.asker.replyTo;
    if (target.channel === "assistant") {
      // The turn that asked takes the outcome to the model; a queued or slow call reaches it by late delivery.
      if (answer.status === "done") await assistantStub(host.env, target.session).toolSettled(approval.callId, answer.outcome);
    } else await tellSender(host.env, host.api, approval, clampReply(`${head}\n\n${text}`));
    host.rows.handedOver(approval.id);
    return text;
  } catch (error) {
    const attempts = host.rows.handoverFailed(approval.id, host.now + HANDOVER_RETRY_MS * 2 ** approval.attempts);
    console.error(JSON.stringify({ event: "approval.submit_failed", id: approval.id, attempts, error: String(error) }));
    if (attempts < MAX_HANDOVERS)
      return `⚠️ Handing the call to the home runner failed; it is retried shortly (attempt ${attempts} of ${MAX_HANDOVERS}).`;
    host.rows.handedOver(approval.id);
    await auditApproval(host.env, "approval.handover_failed", "gateway", approval, { attempts, error: String(error).slice(0, 300) });
    const text = "⚠️ Handing the call to the home runner failed; it may not have run. Check its effects before asking again.";
    await tellSender(host.env, host.api, approval, `${head}\n\n${text}`);
    return text;
  }
}

/** The route's failover runners, if the call's runner (named by its id) is still its route's first. */
function failoverOf(
  settings: GatewayConfig | null | undefined,
  approval: Approval,
  runner: string,
): { fallbacks?: string[]; failoverAfterMs?: number } {
  if (!settings) return {};
  const route = routeFor(settings.access.runners, settings.defaultRunner, approval.session, approval.request.tool);
  return route.runner === runner ? { fallbacks: route.fallbacks, failoverAfterMs: route.failoverAfterMs } : {};
}
