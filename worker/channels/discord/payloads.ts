import { z } from "zod";

// Only the fields Drawbridge reads; Discord adds fields freely, so these objects are not strict.
export const Snowflake = z.string().regex(/^\d{17,20}$/);
/** Interaction tokens go into a URL path: letters, digits, `-`, `_`, `.` and never `..`. */
const InteractionToken = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{19,499}$/)
  .refine((token) => !token.includes(".."));

const User = z.object({ id: z.string().max(32), username: z.string().max(100).optional(), global_name: z.string().max(100).nullish() });

const CommandOption = z.object({ name: z.string().max(32), type: z.number(), value: z.unknown().optional() });

/** An interaction as Discord posts it to the endpoint (PING 1, APPLICATION_COMMAND 2, MESSAGE_COMPONENT 3, …). */
export const DiscordInteraction = z.object({
  id: Snowflake,
  application_id: Snowflake,
  type: z.number().int(),
  token: InteractionToken.optional(),
  guild_id: Snowflake.optional(),
  channel_id: Snowflake.optional(),
  channel: z.object({ id: Snowflake }).optional(),
  member: z.object({ user: User }).optional(),
  user: User.optional(),
  data: z
    .object({
      name: z.string().max(32).optional(),
      type: z.number().optional(),
      options: z.array(CommandOption).max(25).optional(),
      custom_id: z.string().max(100).optional(),
      component_type: z.number().optional(),
    })
    .optional(),
  message: z.object({ id: Snowflake, channel_id: Snowflake.optional() }).optional(),
});
export type DiscordInteraction = z.infer<typeof DiscordInteraction>;

/** Interaction types Drawbridge acts on. */
export const PING = 1;
export const APPLICATION_COMMAND = 2;
export const MESSAGE_COMPONENT = 3;

/** Interaction callback types it answers with. */
export const PONG = 1;
export const DEFERRED_CHANNEL_MESSAGE = 5;
export const DEFERRED_UPDATE_MESSAGE = 6;
