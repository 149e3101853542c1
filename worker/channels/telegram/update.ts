import { z } from "zod";
import type { ChannelEvent } from "../channel-event.js";

// Only the fields Drawbridge reads; Telegram adds fields freely, so these objects are not strict.
const TelegramUser = z.object({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
const TelegramChat = z.object({ id: z.number().int(), type: z.string() });
const TelegramMessage = z.object({
  message_id: z.number().int(),
  from: TelegramUser.optional(),
  chat: TelegramChat,
  text: z.string().optional(),
});
const TelegramCallbackQuery = z.object({
  id: z.string().min(1).max(128),
  from: TelegramUser,
  message: z.object({ message_id: z.number().int(), chat: TelegramChat }).optional(),
  data: z.string().max(256).optional(),
});
export const TelegramUpdate = z.object({
  update_id: z.number().int().nonnegative(),
  message: TelegramMessage.optional(),
  callback_query: TelegramCallbackQuery.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** What the gatekeeper acts on (the channel-neutral event). Everything else in an update is ignored. */
export type TelegramEvent = ChannelEvent;

/**
 * Reads the one event an update carries, or null (edits, channel posts, bots, non-text).
 * Identity is the numeric `from.id`; the name is only ever shown, never trusted.
 */
export function readUpdate(update: TelegramUpdate): TelegramEvent | null {
  const callback = update.callback_query;
  if (callback) {
    return {
      kind: "button",
      callbackId: callback.id,
      senderId: String(callback.from.id),
      data: callback.data ?? "",
      chatId: callback.message ? String(callback.message.chat.id) : null,
      messageId: callback.message ? String(callback.message.message_id) : null,
    };
  }
  const message = update.message;
  if (!message?.from || message.from.is_bot || message.text === undefined) return null;
  const chat =
    message.chat.type === "private" ? "private" : message.chat.type === "group" || message.chat.type === "supergroup" ? "group" : null;
  if (!chat) return null;
  return {
    kind: "message",
    senderId: String(message.from.id),
    name: displayName(message.from),
    chat,
    chatId: String(message.chat.id),
    text: message.text,
  };
}

function displayName(user: z.infer<typeof TelegramUser>): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  const full = user.username ? `${name} (@${user.username})`.trim() : name;
  return (full || "unknown").slice(0, 100);
}
