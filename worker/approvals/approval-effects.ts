import type { Api } from "grammy";
import { sendReply } from "../channels/telegram/bot-api.js";
import { recordAudit } from "../audit/record-audit.js";
import type { AuditKind } from "../audit/audit-event.js";
import { loadGatewayConfig } from "../config.js";
import { assistantStub, gatekeeperStub } from "../objects/stubs.js";
import { approvalIndex } from "./approval-stubs.js";
import { viewOf, type Approval } from "./approval.js";

/**
 * Tells the sender on the channel they asked from; the console has no chat (it lists approvals
 * instead). An assistant turn that asked is told instead of the chat: it gives the model the
 * refusal as the call's result, and the model's answer reaches the sender.
 */
export async function tellSender(env: Env, api: Api, approval: Approval, text: string): Promise<void> {
  const target = approval.asker.replyTo;
  if (target.channel === "telegram") await sendReply(api, target.chatId, text);
  if ("account" in target) {
    // Through the channel account's Gatekeeper (Slack, Discord, WhatsApp), which keeps and retries it while the platform cannot take it.
    try {
      await gatekeeperStub(env, target.account).deliverReply({ ...loadGatewayConfig(env), account: target.account }, target.chatId, text);
    } catch (error) {
      console.error(JSON.stringify({ event: "approval.sender_notify_failed", id: approval.id, error: String(error) }));
    }
  }
  if (target.channel === "assistant") {
    try {
      await assistantStub(env, target.session).approvalSettled(approval.id, text);
    } catch (error) {
      console.error(JSON.stringify({ event: "approval.turn_notify_failed", id: approval.id, error: String(error) }));
    }
  }
}

/** Refreshes the directory's copy. A failure only makes a listing stale; the session's row decides. */
export async function publish(env: Env, approval: Approval): Promise<void> {
  try {
    await approvalIndex.put(env, viewOf(approval));
  } catch (error) {
    console.error(JSON.stringify({ event: "approval.index_failed", id: approval.id, error: String(error) }));
  }
}

export function auditApproval(
  env: Env,
  kind: AuditKind,
  actor: string,
  approval: Approval,
  extra: Record<string, string | number | boolean | null> = {},
): Promise<void> {
  return recordAudit(env, {
    kind,
    channel: approval.asker.senderKey.split(":")[0] ?? "unknown",
    actor,
    detail: {
      id: approval.id,
      tool: approval.request.tool,
      // The audit log redacts secrets; the clamp keeps a long command within the event's size limit.
      label: approval.label.slice(0, 300),
      sender: approval.asker.senderKey,
      session: approval.session,
      ...extra,
    },
  });
}
