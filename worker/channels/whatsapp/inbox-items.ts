import { ChangeValue, WhatsAppMessage, type WhatsAppStored, type WhatsAppWebhook } from "./payloads.js";

/** What one webhook POST holds for this number: each message its own inbox item, in the order Meta listed them. */
export type WebhookItems = { items: WhatsAppStored[]; foreign: string[] };

/** Only these become inbox items; every other message type (and every status update) is acknowledged and ignored. */
const ACTED_ON = new Set(["text", "interactive"]);

/**
 * Splits a verified webhook into inbox items: every `messages` change of every entry, each
 * message on its own, with the sender's profile name from `contacts`. Changes for another phone
 * number than ours are set aside (`foreign`), never stored; statuses and other fields are ignored.
 */
export function webhookItems(webhook: WhatsAppWebhook, phoneNumberId: string): WebhookItems {
  const items: WhatsAppStored[] = [];
  const foreign: string[] = [];
  for (const entry of webhook.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") continue;
      const value = ChangeValue.safeParse(change.value);
      if (!value.success) continue;
      const { metadata, contacts, messages } = value.data;
      if (metadata.phone_number_id !== phoneNumberId) {
        if (messages?.length) foreign.push(metadata.phone_number_id.slice(0, 64));
        continue;
      }
      for (const raw of messages ?? []) {
        const message = WhatsAppMessage.safeParse(raw);
        if (!message.success || !ACTED_ON.has(message.data.type)) continue;
        const name = contacts?.find((contact) => contact.wa_id === message.data.from)?.profile?.name ?? null;
        items.push({ channel: "whatsapp", phoneNumberId, name, message: message.data });
      }
    }
  }
  return { items, foreign };
}
