import type { PairingRequest } from "../../../shared/access/pairing-store.js";
import { shownLabel } from "../../../shared/display/untrusted-label.js";
import { NO_MENTIONS } from "./rest-api.js";

/** A button (component type 2) whose custom_id is the same payload as Telegram's callback data. Styles: 1 primary, 3 success, 4 danger, 2 secondary. */
type Button = { label: string; customId: string; style: 1 | 2 | 3 | 4 };

/** A message with one action row (type 1) of buttons. custom_ids are at most 100 characters; ours are under 30. */
export function promptMessage(content: string, buttons: Button[]): Record<string, unknown> {
  return {
    content: content.slice(0, 2000),
    allowed_mentions: NO_MENTIONS,
    components: [{ type: 1, components: buttons.map((b) => ({ type: 2, style: b.style, label: b.label, custom_id: b.customId })) }],
  };
}

/**
 * The owner's pairing prompt, laid out as Telegram's is: the real code and id first, in inline
 * code, the sender's own name last, quoted, labelled and on one line (shownLabel), with
 * backticks and Markdown neutralised so a name cannot imitate a line. In challenge mode the
 * owner hands the code over, so there is no Approve.
 */
export function pairingPrompt(request: PairingRequest, ttlMinutes: number, mode: "approve" | "challenge"): Record<string, unknown> {
  const challenge = mode === "challenge";
  const content = [
    challenge ? "🔐 Pairing challenge" : "🔐 Pairing request",
    `Code: \`${request.code}\``,
    `Sender id: \`${request.senderId}\``,
    `Name (their own, unverified): “${plainMarkdown(shownLabel(request.name))}”`,
    challenge
      ? `If you know them, give them this code: they are paired with the default role when they type it (/ask <code>). Wrong codes get them blocked. Expires in ${ttlMinutes} minutes.`
      : `Expires in ${ttlMinutes} minutes. Approve gives them the default role; Block ignores them from now on.`,
  ].join("\n");
  const approve: Button = { label: "✅ Approve", customId: `pair:approve:${request.code}`, style: 3 };
  const deny: Button = { label: "❌ Deny", customId: `pair:deny:${request.code}`, style: 2 };
  const block: Button = { label: "🚫 Block", customId: `pair:block:${request.code}`, style: 4 };
  return promptMessage(content, challenge ? [deny, block] : [approve, deny, block]);
}

/** The prompt after the decision: the outcome only, the buttons gone. */
export function outcomeMessage(text: string): Record<string, unknown> {
  return { content: text.slice(0, 2000), allowed_mentions: NO_MENTIONS, components: [] };
}

/** Markdown characters escaped with a backslash, so a name shows as typed and cannot format the prompt. */
export function plainMarkdown(text: string): string {
  return text.replace(/[\\`*_~|>#[\]]/g, (char) => `\\${char}`);
}
