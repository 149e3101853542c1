import { GrammyError, HttpError, type Api } from "grammy";
import { normalisePairingCode } from "../../../shared/access/pairing-code.js";
import type { PairingRequest } from "../../../shared/access/pairing-store.js";

export type PairingAction = "approve" | "deny" | "block";
export type PairingButton = { action: PairingAction; code: string };

/** Callback data is `pair:<action>:<code>` (Telegram allows 64 bytes). */
export function parsePairingButton(data: string): PairingButton | null {
  const match = /^pair:(approve|deny|block):([A-Za-z0-9]{1,16})$/.exec(data);
  const code = match ? normalisePairingCode(match[2] ?? "") : null;
  return match && code ? { action: match[1] as PairingAction, code } : null;
}

/** Tells the owner at once, with buttons only the owner's taps count for. */
export async function sendPairingPrompt(api: Api, ownerChatId: string, request: PairingRequest, ttlMinutes: number): Promise<boolean> {
  const text = [
    "🔐 Pairing request",
    `From: ${request.name} (id ${request.senderId})`,
    `Code: ${request.code}`,
    `Expires in ${ttlMinutes} minutes. Approve gives them the default role; Block ignores them from now on.`,
  ].join("\n");
  return call("sendMessage", () =>
    api.sendMessage(ownerChatId, text, {
      reply_markup: {
        inline_keyboard: [
          [
            { text: "✅ Approve", callback_data: `pair:approve:${request.code}` },
            { text: "❌ Deny", callback_data: `pair:deny:${request.code}` },
            { text: "🚫 Block", callback_data: `pair:block:${request.code}` },
          ],
        ],
      },
    }),
  );
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
  try {
    await send();
    return true;
  } catch (error) {
    const detail =
      error instanceof GrammyError
        ? `${error.error_code} ${error.description}`
        : error instanceof HttpError
          ? "network error"
          : "unexpected error";
    console.error(JSON.stringify({ event: "telegram.call_failed", method, detail }));
    return false;
  }
}
