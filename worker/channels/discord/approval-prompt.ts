import type { Approval } from "../../approvals/approval.js";
import { approvalPromptText, outcomeText } from "../approval-text.js";
import { MAX_CONTENT } from "./rest-api.js";
import { outcomeMessage, plainMarkdown, promptMessage } from "./owner-prompt.js";

const CUT = "\n… (cut to fit Discord; deny if unsure)";

/**
 * The owner's approval prompt as a Discord message: the words every channel shows
 * (approval-text.ts) with Markdown escaped — and `<`, so `<@id>`, `<#id>` or `<t:…>` in a
 * command show as typed rather than as a mention, a channel or a date — above Allow once (green)
 * and Deny (red), whose custom_ids are Telegram's payload (`ap:<id>:allow|deny`). Mentions never
 * ping (allowed_mentions parse []).
 */
export function approvalPromptMessage(approval: Approval, now: number): Record<string, unknown> {
  return promptMessage(shownAsTyped(approvalPromptText(approval, now)), [
    { label: "✅ Allow once", customId: `ap:${approval.id}:allow`, style: 3 },
    { label: "❌ Deny", customId: `ap:${approval.id}:deny`, style: 4 },
  ]);
}

/** The prompt after the decision (PATCH): the outcome in the same escaped text, the buttons gone. */
export function approvalOutcomeMessage(approval: Approval): Record<string, unknown> {
  return outcomeMessage(shownAsTyped(outcomeText(approval)));
}

/** Escaping can push a long command past 2,000 characters: then it is cut visibly, never silently. */
function shownAsTyped(text: string): string {
  const escaped = plainMarkdown(text).replace(/</g, "\\<");
  return escaped.length <= MAX_CONTENT ? escaped : escaped.slice(0, MAX_CONTENT - CUT.length).replace(/\\$/, "") + CUT;
}
