import { z } from "zod";

/** Channels Drawbridge takes messages from. `console` is the owner's local/admin channel. */
export const ChannelName = z.enum(["telegram", "console", "slack", "discord", "whatsapp"]);
export type ChannelName = z.infer<typeof ChannelName>;

/**
 * What a sender id looks like on each channel: the platform's stable id, never a username or
 * display name. Telegram (and the console, which speaks as a Telegram-style id) use numbers;
 * Slack user ids are upper-case letters and digits starting with U or W (e.g. U0123ABCD);
 * Discord user ids are snowflakes, 17 to 20 digits (Telegram user ids fit in 52 bits, at most 16);
 * WhatsApp ids (wa_id) are phone numbers, E.164 digits without the "+" — digits like Telegram's,
 * so they are told apart by the `whatsapp:` prefix of the identity and by their own Gatekeeper.
 * Apart from that one overlap the shapes never meet, so one access config can name ids of every channel
 * (a bare number in `allowFrom`/`roles` counts on Telegram and WhatsApp alike: docs/channels.md).
 */
export const SENDER_ID_PATTERNS = {
  telegram: /^-?\d{1,20}$/,
  console: /^-?\d{1,20}$/,
  slack: /^[UW][A-Z0-9]{2,31}$/,
  // A WhatsApp wa_id: the phone number in E.164 digits without the "+" (no leading zero, at most 15 digits).
  whatsapp: /^[1-9]\d{6,14}$/,
  discord: /^\d{17,20}$/,
} as const satisfies Record<ChannelName, RegExp>;

/** Is `id` a sender id as `channel` spells it? */
export function isSenderIdOn(channel: ChannelName, id: string): boolean {
  return SENDER_ID_PATTERNS[channel].test(id);
}

const IDENTITY = /^(telegram|console|slack|discord|whatsapp):(.+)$/;

/**
 * A sender as the gateway knows them: `<channel>:<id>`, the id in the channel's own shape.
 * Never a username or display name — those can be changed by their owner.
 */
export const ChannelIdentity = z
  .string()
  .trim()
  .refine((value) => {
    const match = IDENTITY.exec(value);
    return match !== null && isSenderIdOn(match[1] as ChannelName, match[2] ?? "");
  }, 'expected "<channel>:<id>", e.g. "telegram:123456789" or "slack:U0123ABCD"')
  .transform((value) => {
    const [, channel, id] = IDENTITY.exec(value) as unknown as [string, ChannelName, string];
    return { channel, id, key: `${channel}:${id}` };
  });
export type ChannelIdentity = z.output<typeof ChannelIdentity>;

/**
 * DRAWBRIDGE_OWNER: one owner, or a comma-separated list across channels
 * (`telegram:123,slack:U0123`), at most one per channel. Each channel's owner is the one on it.
 */
export const OwnerList = z
  .string()
  .transform((value) => value.split(",").map((entry) => entry.trim()))
  .pipe(z.array(ChannelIdentity).min(1, "name at least one owner"))
  .superRefine((owners, context) => {
    const seen = new Set<string>();
    for (const owner of owners) {
      if (seen.has(owner.channel)) context.addIssue({ code: "custom", message: `two owners on ${owner.channel}; one per channel` });
      seen.add(owner.channel);
    }
  });
export type OwnerList = z.output<typeof OwnerList>;
