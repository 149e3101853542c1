import type { PairingRequest } from "../../../shared/access/pairing-store.js";
import { escapeText } from "./web-api.js";

/** A Block Kit button. Its value carries the same opaque payload as Telegram's callback data (`pair:approve:<code>`, `ap:<id>:allow`). */
export type SlackButton = { text: string; value: string; style?: "primary" | "danger" };

/** A message with text (notifications, fallback) and a section of it above one row of buttons. */
export function promptMessage(channel: string, text: string, buttons: SlackButton[]): Record<string, unknown> {
  const shown = escapeText(text);
  return {
    channel,
    text: shown,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: shown.slice(0, 3000) } },
      {
        type: "actions",
        elements: buttons.map((button, index) => ({
          type: "button",
          action_id: `drawbridge_${index}`,
          text: { type: "plain_text", text: button.text, emoji: true },
          value: button.value,
          ...(button.style ? { style: button.style } : {}),
        })),
      },
    ],
  };
}

/** The owner's pairing prompt; in challenge mode the owner hands the code over, so there is no Approve. */
export function pairingPrompt(ownerId: string, request: PairingRequest, ttlMinutes: number, mode: "approve" | "challenge") {
  const challenge = mode === "challenge";
  const text = [
    challenge ? "🔐 Pairing challenge" : "🔐 Pairing request",
    `From: ${request.name} (id ${request.senderId})`,
    `Code: ${request.code}`,
    challenge
      ? `If you know them, give them this code: they are paired with the default role when they type it. Wrong codes get them blocked. Expires in ${ttlMinutes} minutes.`
      : `Expires in ${ttlMinutes} minutes. Approve gives them the default role; Block ignores them from now on.`,
  ].join("\n");
  const approve: SlackButton = { text: "✅ Approve", value: `pair:approve:${request.code}`, style: "primary" };
  const deny: SlackButton = { text: "❌ Deny", value: `pair:deny:${request.code}` };
  const block: SlackButton = { text: "🚫 Block", value: `pair:block:${request.code}`, style: "danger" };
  return promptMessage(ownerId, text, challenge ? [deny, block] : [approve, deny, block]);
}

/** The prompt after the decision: the outcome only, the buttons gone. */
export function outcomeMessage(channel: string, ts: string, text: string): Record<string, unknown> {
  const shown = escapeText(text);
  return { channel, ts, text: shown, blocks: [{ type: "section", text: { type: "mrkdwn", text: shown.slice(0, 3000) } }] };
}
