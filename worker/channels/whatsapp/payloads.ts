import { z } from "zod";

// Only the fields Drawbridge reads; Meta adds fields freely, so these objects are not strict.

/** A wa_id as the Cloud API sends it: the sender's phone number in E.164 digits, no "+". */
const WaId = z.string().regex(/^[1-9]\d{6,14}$/);
/** A message id (`wamid.…`): the dedupe key, unique per message. */
const MessageId = z.string().min(1).max(256);

/** One inbound message. Only `text` and `interactive` (a reply-button tap) are acted on; other types are read as "ignore". */
export const WhatsAppMessage = z.object({
  from: z.string().max(32),
  id: MessageId,
  timestamp: z.string().max(32).optional(),
  type: z.string().max(32),
  text: z.object({ body: z.string().max(65_536) }).optional(),
  interactive: z
    .object({
      type: z.string().max(32),
      button_reply: z.object({ id: z.string().max(256), title: z.string().max(256).optional() }).optional(),
    })
    .optional(),
  /** A reply (or a tap) names the message it answers: for a tap, the prompt that carried the button. */
  context: z.object({ id: z.string().max(256).optional(), from: z.string().max(32).optional() }).optional(),
});
export type WhatsAppMessage = z.infer<typeof WhatsAppMessage>;

const Contact = z.object({ wa_id: z.string().max(32), profile: z.object({ name: z.string().max(1024).optional() }).optional() });

/** `entry[].changes[].value` of a `messages` change: who it is for, who sent it, the messages, delivery statuses. */
export const ChangeValue = z.object({
  messaging_product: z.literal("whatsapp"),
  metadata: z.object({ phone_number_id: z.string().max(64), display_phone_number: z.string().max(64).optional() }),
  contacts: z.array(Contact).max(1000).optional(),
  messages: z.array(z.unknown()).max(1000).optional(),
  statuses: z.array(z.unknown()).optional(),
});
export type ChangeValue = z.infer<typeof ChangeValue>;

/** The webhook body Meta posts to `POST /whatsapp/webhook` (several entries and changes per POST). */
export const WhatsAppWebhook = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z
    .array(
      z.object({
        id: z.string().max(64).optional(),
        changes: z.array(z.object({ field: z.string().max(64), value: z.unknown() })).max(1000),
      }),
    )
    .max(1000),
});
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhook>;

/** What the Gatekeeper's inbox keeps for one WhatsApp message: the message as verified, and the sender's profile name. */
export const WhatsAppStored = z
  .object({
    channel: z.literal("whatsapp"),
    phoneNumberId: z.string().max(64),
    /** The sender's own profile name: shown only, never trusted. */
    name: z.string().max(1024).nullable(),
    message: WhatsAppMessage,
  })
  .strict();
export type WhatsAppStored = z.infer<typeof WhatsAppStored>;

export { WaId };
