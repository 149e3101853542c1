import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { botApi, sendReply } from "../channels/telegram/bot-api.js";
import { loadGatewayConfig } from "../config.js";
import { clampReply, formatExecReply } from "../conversation/format-reply.js";
import type { ReplyTarget } from "./outbox.js";

/**
 * Delivers a result nobody is waiting for any more: a call that was queued while the runner
 * was offline, or whose caller went away (a restart, a reply that took too long). Telegram gets
 * a message in the chat the call came from; the console keeps it for `GET /api/calls/:id`.
 * Returns true once the sender has it (or can fetch it).
 */
export async function deliverLate(env: Env, target: ReplyTarget | null, label: string, outcome: ToolOutcome): Promise<boolean> {
  if (!target || target.channel === "console") return true;
  let config;
  try {
    config = loadGatewayConfig(env);
  } catch (error) {
    console.error(JSON.stringify({ event: "tunnel.late_delivery_failed", reason: String(error) }));
    return false;
  }
  return sendReply(botApi(env, config), target.chatId, lateReplyText(label, outcome));
}

/** A late reply names the command it answers: the sender may have sent several since. */
export function lateReplyText(label: string, outcome: ToolOutcome): string {
  return clampReply(`↩️ ${label}\n\n${formatExecReply(outcome)}`);
}
