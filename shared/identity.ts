import { z } from "zod";

/** Channels Drawbridge takes messages from. `console` is the owner's local/admin channel. */
export const ChannelName = z.enum(["telegram", "console"]);
export type ChannelName = z.infer<typeof ChannelName>;

/**
 * A sender as the gateway knows them: channel plus the channel's numeric id.
 * Never a username or display name — those can be changed by their owner.
 */
export const ChannelIdentity = z
  .string()
  .trim()
  .regex(/^(telegram|console):-?\d{1,20}$/, 'expected "<channel>:<numeric id>", e.g. "telegram:123456789"')
  .transform((value) => {
    const [channel, id] = value.split(":") as [ChannelName, string];
    return { channel, id, key: `${channel}:${id}` };
  });
export type ChannelIdentity = z.output<typeof ChannelIdentity>;
