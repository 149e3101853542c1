import type { Api } from "grammy";
import type { PairingRequest } from "../../../shared/access/pairing-store.js";
import { shownLabel } from "../../../shared/display/untrusted-label.js";
import { callBotApi } from "./bot-api.js";

export type PairingAction = "approve" | "deny" | "block";
export type PairingButton = { action: PairingAction; code: string };

/**
 * Callback data is `pair:<action>:<code>` (Telegram allows 64 bytes). The code is passed on as
 * it came; the pairing store refuses anything but an exact code, with its own message.
 */
export function parsePairingButton(data: string): PairingButton | null {
  const match = /^pair:(approve|deny|block):([A-Za-z0-9]{1,16})$/.exec(data);
  return match ? { action: match[1] as PairingAction, code: match[2] ?? "" } : null;
}

/** A Telegram MessageEntity (offsets and lengths in UTF-16 code units, as JavaScript counts). */
export type PromptEntity = { type: "code"; offset: number; length: number };

/**
 * The prompt's text, laid out so a display name cannot imitate it: the real code and id come
 * first, each on its own line and in a monospace entity (a name is plain text and makes none),
 * and the name comes last, quoted and labelled, on one line with every bidi, zero-width and line
 * break character written out (shownLabel).
 */
export function pairingPromptText(
  request: PairingRequest,
  ttlMinutes: number,
  mode: "approve" | "challenge",
): { text: string; entities: PromptEntity[] } {
  const challenge = mode === "challenge";
  const entities: PromptEntity[] = [];
  let text = "";
  const line = (label: string, value = "", mono = false) => {
    if (text) text += "\n";
    text += label;
    if (mono) entities.push({ type: "code", offset: text.length, length: value.length });
    text += value;
  };
  line(challenge ? "🔐 Pairing challenge" : "🔐 Pairing request");
  line("Code: ", request.code, true);
  line("Sender id: ", request.senderId, true);
  line(`Name (their own, unverified): “${shownLabel(request.name)}”`);
  line(
    challenge
      ? `If you know them, give them this code: they are paired with the default role when they type it. Wrong codes get them blocked. Expires in ${ttlMinutes} minutes.`
      : `Expires in ${ttlMinutes} minutes. Approve gives them the default role; Block ignores them from now on.`,
  );
  return { text, entities };
}

/**
 * Tells the owner at once, with buttons only the owner's taps count for. In challenge mode the
 * owner hands the code over and the sender pairs by typing it, so there is no Approve button.
 */
export async function sendPairingPrompt(
  api: Api,
  ownerChatId: string,
  request: PairingRequest,
  ttlMinutes: number,
  mode: "approve" | "challenge" = "approve",
): Promise<boolean> {
  const { text, entities } = pairingPromptText(request, ttlMinutes, mode);
  const approve = { text: "✅ Approve", callback_data: `pair:approve:${request.code}` };
  const deny = { text: "❌ Deny", callback_data: `pair:deny:${request.code}` };
  const block = { text: "🚫 Block", callback_data: `pair:block:${request.code}` };
  const buttons = mode === "challenge" ? [deny, block] : [approve, deny, block];
  return call("sendMessage", () => api.sendMessage(ownerChatId, text, { entities, reply_markup: { inline_keyboard: [buttons] } }));
}

/** Stops the button's spinner, with a short notice (an alert for refusals). */
export function answerButton(api: Api, callbackId: string, text: string, alert = false): Promise<boolean> {
  return call("answerCallbackQuery", () => api.answerCallbackQuery(callbackId, { text: text.slice(0, 200), show_alert: alert }));
}

/** Replaces the prompt (and its buttons) with the outcome, so it cannot be tapped twice. */
export function editPrompt(api: Api, chatId: string, messageId: number, text: string): Promise<boolean> {
  return call("editMessageText", () => api.editMessageText(chatId, messageId, text));
}

async function call(method: string, send: () => Promise<unknown>): Promise<boolean> {
  return (await callBotApi(method, send)).kind === "sent";
}
