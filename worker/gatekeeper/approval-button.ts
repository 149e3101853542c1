import { parseApprovalButton } from "../channels/telegram/approval-prompt.js";
import type { ButtonTap } from "../channels/channel-event.js";
import { decideApproval } from "../approvals/decide-approval.js";
import { accountOwnerId, actorOf, type Gate } from "./gate.js";

/**
 * A tap on "Allow once" / "Deny". Only the owner's id on this channel counts: anyone else (a group
 * member, a forwarded prompt) is told "not allowed", audited, and nothing changes.
 */
export async function handleApprovalButton(gate: Gate, event: ButtonTap): Promise<void> {
  const actor = actorOf(gate, event.senderId);
  const button = parseApprovalButton(event.data);
  if (event.senderId !== accountOwnerId(gate.settings)) {
    await gate.audit("approval.callback_refused", actor, { id: button?.id ?? null, decision: button?.decision ?? "unknown" });
    await gate.client.answerButton(event, "not allowed", true);
    return;
  }
  if (!button) {
    await gate.client.answerButton(event, "Unknown button.");
    return;
  }
  // The session answers the tap itself, before an allowed call runs (that can take a while).
  const result = await decideApproval(gate.env, gate.settings, button.id, button.decision, actor, event);
  if (result.kind === "unknown") await gate.client.answerButton(event, "This approval is unknown or long gone; nothing ran.", true);
}
