import type { PairingRequest } from "../../../shared/access/pairing-store.js";
import { shownLabel } from "../../../shared/display/untrusted-label.js";

/** A reply button: its id carries the same opaque payload as Telegram's callback data (`pair:approve:<code>`). */
export type WhatsAppButton = { title: string; id: string };

/** WhatsApp's limits on reply buttons: at most 3, titles of at most 20 characters, ids of at most 256, body of at most 1024. */
const MAX_BUTTONS = 3;
const MAX_TITLE = 20;
const MAX_ID = 256;
export const MAX_BODY = 1024;

/** An interactive reply-buttons message to `to` (the body is clipped to WhatsApp's 1,024 characters). */
export function buttonsMessage(to: string, body: string, buttons: WhatsAppButton[]): Record<string, unknown> {
  return {
    to,
    type: "interactive",
    interactive: {
      type: "button",
      body: { text: body.length > MAX_BODY ? `${body.slice(0, MAX_BODY - 1)}…` : body },
      action: {
        buttons: buttons.slice(0, MAX_BUTTONS).map((button) => ({
          type: "reply",
          reply: { id: button.id.slice(0, MAX_ID), title: [...button.title].slice(0, MAX_TITLE).join("") },
        })),
      },
    },
  };
}

/**
 * The owner's pairing prompt, laid out so a profile name cannot imitate it: the real code and wa_id
 * come first, each on its own line, and the name last, quoted and labelled, on one line with every
 * bidi, zero-width and line-break character written out (shownLabel). In challenge mode the owner
 * hands the code over, so there is no Approve.
 */
export function pairingPrompt(ownerId: string, request: PairingRequest, ttlMinutes: number, mode: "approve" | "challenge") {
  const challenge = mode === "challenge";
  const body = [
    challenge ? "🔐 Pairing challenge" : "🔐 Pairing request",
    `Code: ${request.code}`,
    `Sender id: ${request.senderId}`,
    `Name (their own, unverified): “${shownLabel(request.name)}”`,
    challenge
      ? `If you know them, give them this code: they are paired with the default role when they type it. Wrong codes get them blocked. Expires in ${ttlMinutes} minutes.`
      : `Expires in ${ttlMinutes} minutes. Approve gives them the default role; Block ignores them from now on.`,
  ].join("\n");
  const approve = { title: "✅ Approve", id: `pair:approve:${request.code}` };
  const deny = { title: "❌ Deny", id: `pair:deny:${request.code}` };
  const block = { title: "🚫 Block", id: `pair:block:${request.code}` };
  return buttonsMessage(ownerId, body, challenge ? [deny, block] : [approve, deny, block]);
}
