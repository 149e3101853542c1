import { isSenderIdOn } from "../../../shared/identity.js";
import type { ChannelEvent } from "../channel-event.js";
import { WhatsAppStored } from "./payloads.js";

/**
 * Reads the one message a stored WhatsApp inbox body carries, or null. The Cloud API delivers
 * only direct chats (no groups), so every message is private and its chat is the sender's wa_id.
 * `text` messages are read as chat messages; an `interactive` `button_reply` is a tap on an owner
 * prompt's button, carrying the same payload as Telegram's callback data. Everything else
 * (images, reactions, locations, system notices, list replies) is ignored.
 */
export function readWhatsAppPayload(body: string): ChannelEvent | null {
  const { message, name } = WhatsAppStored.parse(JSON.parse(body));
  if (!isSenderIdOn("whatsapp", message.from)) return null;
  if (message.type === "text" && message.text) {
    return {
      kind: "message",
      senderId: message.from,
      name: name ?? message.from,
      chat: "private",
      chatId: message.from,
      text: message.text.body,
    };
  }
  const reply = message.interactive?.type === "button_reply" ? message.interactive.button_reply : undefined;
  if (message.type === "interactive" && reply) {
    return {
      kind: "button",
      callbackId: message.id,
      senderId: message.from,
      data: reply.id,
      chatId: message.from,
      messageId: message.context?.id ?? null,
    };
  }
  return null;
}
