import type { Approval } from "../../approvals/approval.js";
import { approvalPromptText, outcomeText } from "../approval-text.js";
import type { PromptPlace } from "../channel-client.js";
import type { GraphSend } from "./graph-api.js";
import { buttonsMessage, MAX_BODY } from "./owner-prompt.js";

/**
 * The owner's approval prompt as reply buttons (Allow once / Deny, carrying Telegram's payload
 * `ap:<id>:allow|deny`) under the words every channel shows (approval-text.ts). An interactive
 * body holds 1,024 characters and a command may be longer: then the whole text goes first as a
 * plain message and the buttons follow under a short line naming the approval, so nothing of
 * what would run is cut from view.
 */
export async function sendWhatsAppApprovalPrompt(
  send: GraphSend,
  ownerId: string,
  approval: Approval,
  now: number,
): Promise<PromptPlace | null> {
  const text = approvalPromptText(approval, now);
  let body = text;
  if (text.length > MAX_BODY) {
    const full = await send({ to: ownerId, type: "text", text: { body: text, preview_url: false } });
    if (full.kind !== "sent") return failed(approval, full.kind);
    body = `🔐 Allow the request above once? (Id: ${approval.id})`;
  }
  const buttons = [
    { title: "✅ Allow once", id: `ap:${approval.id}:allow` },
    { title: "❌ Deny", id: `ap:${approval.id}:deny` },
  ];
  const prompt = await send(buttonsMessage(ownerId, body, buttons));
  if (prompt.kind !== "sent") return failed(approval, prompt.kind);
  return { chatId: ownerId, messageId: prompt.messageId ?? "" };
}

/** WhatsApp cannot edit a sent message: the outcome follows as a message of its own. */
export async function sendWhatsAppApprovalOutcome(send: GraphSend, place: PromptPlace, approval: Approval): Promise<boolean> {
  const outcome = await send({ to: place.chatId, type: "text", text: { body: outcomeText(approval), preview_url: false } });
  return outcome.kind === "sent";
}

function failed(approval: Approval, outcome: string): null {
  console.error(JSON.stringify({ event: "whatsapp.approval_prompt_failed", id: approval.id, outcome }));
  return null;
}
