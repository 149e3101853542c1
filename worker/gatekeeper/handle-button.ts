import { answerButton, editPrompt, parsePairingButton } from "../channels/telegram/owner-prompt.js";
import type { TelegramEvent } from "../channels/telegram/update.js";
import { isApprovalButton } from "../channels/telegram/approval-prompt.js";
import { handleApprovalButton } from "./approval-button.js";
import { telegramOwnerId, type Gate } from "./gate.js";
import { decidePairing } from "./pairing-actions.js";

/** A tap on an inline button. Only the owner's numeric id counts; anyone else changes nothing. */
export async function handleButton(gate: Gate, event: Extract<TelegramEvent, { kind: "button" }>): Promise<void> {
  if (isApprovalButton(event.data)) return handleApprovalButton(gate, event);
  const actor = `telegram:${event.senderId}`;
  const button = parsePairingButton(event.data);
  if (event.senderId !== telegramOwnerId(gate.settings)) {
    await gate.audit("pairing.callback_refused", actor, { action: button?.action ?? "unknown" });
    await answerButton(gate.telegram, event.callbackId, "not allowed", true);
    return;
  }
  if (!button) {
    await answerButton(gate.telegram, event.callbackId, "Unknown button.");
    return;
  }
  const decision = await decidePairing(gate, button.action, button.code, actor);
  await answerButton(gate.telegram, event.callbackId, decision.message, !decision.ok);
  if (decision.ok && event.chatId !== null && event.messageId !== null) {
    await editPrompt(gate.telegram, event.chatId, event.messageId, `🔐 Pairing request ${button.code}: ${decision.message}`);
  }
}
