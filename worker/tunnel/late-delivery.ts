import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { loadGatewayConfig } from "../config.js";
import { clampReply, formatExecReply } from "../replies/format-reply.js";
import { assistantStub, gatekeeperStub, telegramAccount } from "../objects/stubs.js";
import type { ReplyTarget } from "./outbox.js";

/**
 * Delivers a result nobody is waiting for any more: a call that was queued while the runner
 * was offline, or whose caller went away (a restart, a reply that took too long). Telegram gets
 * a message in the chat the call came from — through the Gatekeeper, which keeps and retries
 * it while Telegram cannot take it; the console keeps it for `GET /api/calls/:id`.
 * Returns true once the sender has it, can fetch it, or the Gatekeeper holds it durably.
 */
export async function deliverLate(
  env: Env,
  target: ReplyTarget | null,
  callId: string,
  label: string,
  outcome: ToolOutcome,
): Promise<boolean> {
  if (!target || target.channel === "console") return true;
  if (target.channel === "assistant") {
    // The turn that made the call takes the outcome to the model; it keeps it durably first.
    try {
      await assistantStub(env, target.session).toolSettled(callId, outcome);
      return true;
    } catch (error) {
      console.error(JSON.stringify({ event: "tunnel.late_delivery_failed", reason: String(error) }));
      return false;
    }
  }
  try {
    // The Gatekeeper of the chat's channel account sends it (and keeps it while the platform cannot take it).
    const account = "account" in target ? target.account : telegramAccount(env);
    await gatekeeperStub(env, account).deliverReply({ ...loadGatewayConfig(env), account }, target.chatId, lateReplyText(label, outcome));
    return true;
  } catch (error) {
    console.error(JSON.stringify({ event: "tunnel.late_delivery_failed", reason: String(error) }));
    return false;
  }
}

/** A late reply names the command it answers: the sender may have sent several since. */
export function lateReplyText(label: string, outcome: ToolOutcome): string {
  return clampReply(`↩️ ${label}\n\n${formatExecReply(outcome)}`);
}
