import type { ButtonTap } from "../channels/channel-event.js";
import { parsePairingButton } from "../channels/telegram/owner-prompt.js";
import { isApprovalButton } from "../channels/telegram/approval-prompt.js";
import { handleApprovalButton } from "./approval-button.js";
import { accountOwnerId, actorOf, type Gate } from "./gate.js";
import { decidePairing } from "./pairing-actions.js";

/** A tap on an owner prompt's button. Only the owner's id on this channel counts; anyone else changes nothing. */
export async function handleButton(gate: Gate, event: ButtonTap): Promise<void> {
  if (isApprovalButton(event.data)) return handleApprovalButton(gate, event);
  const actor = actorOf(gate, event.senderId);
  const button = parsePairingButton(event.data);
  if (event.senderId !== accountOwnerId(gate.settings)) {
    await gate.audit("pairing.callback_refused", actor, { action: button?.action ?? "unknown" });
    await gate.client.answerButton(event, "not allowed", true);
    return;
  }
  if (!button) {
    await gate.client.answerButton(event, "Unknown button.");
    return;
  }
  const decision = await decidePairing(gate, button.action, button.code, actor);
  await gate.client.answerButton(event, decision.message, !decision.ok);
  if (decision.ok && event.chatId !== null && event.messageId !== null) {
    await gate.client.editPrompt(event.chatId, event.messageId, `🔐 Pairing request ${button.code}: ${decision.message}`);
  }
}
