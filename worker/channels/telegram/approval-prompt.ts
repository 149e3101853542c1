import type { Api } from "grammy";
import type { Approval, Decision } from "../../approvals/approval.js";
import { approvalPromptText } from "../approval-text.js";

// The prompt's words are the same on every channel (approval-text.ts); these names stay importable from here.
export { outcomeText, visible } from "../approval-text.js";

export type ApprovalButton = { id: string; decision: Decision };

/** Callback data is `ap:<24 hex>:allow|deny` (at most 30 bytes; Telegram allows 64). */
export function parseApprovalButton(data: string): ApprovalButton | null {
  const match = /^ap:([0-9a-f]{24}):(allow|deny)$/.exec(data);
  return match?.[1] && match[2] ? { id: match[1], decision: match[2] as Decision } : null;
}

/** Does the data look like an approval button at all (even a malformed one)? */
export function isApprovalButton(data: string): boolean {
  return data.startsWith("ap:");
}

/** The owner's prompt: what would run, for whom, why, until when; two buttons. Returns the message id. */
export async function sendApprovalPrompt(api: Api, ownerChatId: string, approval: Approval, now: number): Promise<number | null> {
  try {
    const sent = await api.sendMessage(ownerChatId, approvalPromptText(approval, now), {
      link_preview_options: { is_disabled: true },
      reply_markup: {
        inline_keyboard: [
          [
            { text: "✅ Allow once", callback_data: `ap:${approval.id}:allow` },
            { text: "❌ Deny", callback_data: `ap:${approval.id}:deny` },
          ],
        ],
      },
    });
    return sent.message_id;
  } catch (error) {
    console.error(JSON.stringify({ event: "telegram.approval_prompt_failed", id: approval.id, error: String(error) }));
    return null;
  }
}
