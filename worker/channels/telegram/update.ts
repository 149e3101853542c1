import { z } from "zod";
import type { InboundMessage } from "../../conversation/inbound-message.js";

// Only the fields Drawbridge reads; Telegram adds fields freely, so these objects are not strict.
const TelegramUser = z.object({ id: z.number().int(), is_bot: z.boolean().optional() });
const TelegramChat = z.object({ id: z.number().int(), type: z.string() });
const TelegramMessage = z.object({
  message_id: z.number().int(),
  from: TelegramUser.optional(),
  chat: TelegramChat,
  text: z.string().optional(),
});
export const TelegramUpdate = z.object({
  update_id: z.number().int().nonnegative(),
  message: TelegramMessage.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** The text message an update carries, in channel-neutral form, or null for anything else. */
export function toInboundMessage(update: TelegramUpdate): InboundMessage | null {
  const message = update.message;
  if (!message?.from || message.from.is_bot || message.text === undefined) return null;
  return {
    channel: "telegram",
    senderKey: `telegram:${message.from.id}`,
    chatId: String(message.chat.id),
    text: message.text,
  };
}
