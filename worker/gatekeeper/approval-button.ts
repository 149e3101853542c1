import { parseApprovalButton } from "../channels/telegram/approval-prompt.js";
import { answerButton } from "../channels/telegram/owner-prompt.js";
import type { TelegramEvent } from "../channels/telegram/update.js";
import { decideApproval } from "../approvals/decide-approval.js";
import { telegramOwnerId, type Gate } from "./gate.js";

/**
 * A tap on "Allow once" / "Deny". Only the owner's numeric id counts: anyone else (a group
 * member, a forwarded prompt) is told "not allowed", audited, and nothing changes.
 */
export async function handleApprovalButton(gate: Gate, event: Extract<TelegramEvent, { kind: "button" }>): Promise<void> {
  const actor = `telegram:${event.senderId}`;
  const button = parseApprovalButton(event.data);
  if (event.senderId !== telegramOwnerId(gate.settings)) {
    await gate.audit("approval.callback_refused", actor, { id: button?.id ?? null, decision: button?.decision ?? "unknown" });
    await answerButton(gate.telegram, event.callbackId, "not allowed", true);
    return;
  }
  if (!button) {
    await answerButton(gate.telegram, event.callbackId, "Unknown button.");
    return;
  }
  // The session answers the tap itself, before an allowed call runs (that can take a while).
  const result = await decideApproval(gate.env, gate.settings, button.id, button.decision, actor, { callbackId: event.callbackId });
  if (result.kind === "unknown")
    await answerButton(gate.telegram, event.callbackId, "This approval is unknown or long gone; nothing ran.", true);
}
