import type { Approval } from "../../approvals/approval.js";
import { approvalPromptText, outcomeText } from "../approval-text.js";
import type { PromptPlace } from "../channel-client.js";
import { escapeText, type SlackAnsweredCall } from "./web-api.js";

/** Block Kit's limit for a section's text. */
const SECTION_MAX = 3000;

/**
 * The owner's approval prompt as Block Kit: the words every channel shows (approval-text.ts) in a
 * `plain_text` section — never mrkdwn, so a `*`, `_` or backtick in a command is shown as it will
 * run rather than as formatting, and `emoji: false` keeps `:x:` as typed — above Allow once / Deny.
 * The buttons carry Telegram's payload (`ap:<id>:allow|deny`). The top-level `text` (the
 * notification) is escaped, so nothing in it can ping anyone.
 */
export function approvalPromptMessage(ownerId: string, approval: Approval, now: number): Record<string, unknown> {
  const text = approvalPromptText(approval, now);
  return {
    channel: ownerId,
    text: escapeText(text),
    blocks: [
      section(text),
      {
        type: "actions",
        elements: [
          button("drawbridge_allow", "✅ Allow once", `ap:${approval.id}:allow`, "primary"),
          button("drawbridge_deny", "❌ Deny", `ap:${approval.id}:deny`, "danger"),
        ],
      },
    ],
  };
}

/** The prompt after the decision (chat.update): the outcome in the same plain text, the buttons gone. */
export function approvalOutcomeMessage(place: PromptPlace, approval: Approval): Record<string, unknown> {
  const text = outcomeText(approval);
  return { channel: place.chatId, ts: place.messageId, text: escapeText(text), blocks: [section(text)] };
}

/**
 * Posts the prompt to the owner's user id (Slack delivers it in their DM with the app) and returns
 * where it landed: the DM's conversation id and the message's `ts`, which chat.update needs.
 */
export async function sendSlackApprovalPrompt(
  call: SlackAnsweredCall,
  ownerId: string,
  approval: Approval,
  now: number,
): Promise<PromptPlace | null> {
  const { delivery, answer } = await call("chat.postMessage", approvalPromptMessage(ownerId, approval, now));
  const channel = answer?.channel;
  const ts = answer?.ts;
  if (delivery.kind !== "sent" || typeof channel !== "string" || typeof ts !== "string") {
    console.error(JSON.stringify({ event: "slack.approval_prompt_failed", id: approval.id, outcome: delivery.kind }));
    return null;
  }
  return { chatId: channel, messageId: ts };
}

function section(text: string): Record<string, unknown> {
  return { type: "section", text: { type: "plain_text", text: text.slice(0, SECTION_MAX), emoji: false } };
}

function button(actionId: string, text: string, value: string, style: "primary" | "danger"): Record<string, unknown> {
  return { type: "button", action_id: actionId, text: { type: "plain_text", text, emoji: true }, value, style };
}
