import { z } from "zod";

// Only the fields Drawbridge reads; Slack adds fields freely, so these objects are not strict.
const TeamId = z.string().regex(/^[TE][A-Z0-9]{2,31}$/);

const SlackEvent = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  channel: z.string().max(64).optional(),
  channel_type: z.string().optional(),
  text: z.string().optional(),
});
export type SlackEvent = z.infer<typeof SlackEvent>;

/** The Events API envelope: one event, with the id Slack keeps when it retries. */
export const SlackEventCallback = z.object({
  type: z.literal("event_callback"),
  team_id: TeamId,
  event_id: z.string().min(1).max(128),
  event: SlackEvent,
  /** The installation the event is for; its user_id is the bot's own user. */
  authorizations: z.array(z.object({ user_id: z.string().optional() })).optional(),
});
export type SlackEventCallback = z.infer<typeof SlackEventCallback>;

/** Sent once when the Request URL is saved in the app's settings: answered with its challenge. */
export const SlackUrlVerification = z.object({ type: z.literal("url_verification"), challenge: z.string().min(1).max(1024) });

/** What POST /slack/events may carry; other envelope types (app_rate_limited, …) are acknowledged and ignored. */
export const SlackEventsBody = z.union([SlackEventCallback, SlackUrlVerification, z.object({ type: z.string() })]);

/** A tap on a Block Kit button (the interactivity `payload`). */
export const SlackBlockActions = z.object({
  type: z.literal("block_actions"),
  team: z.object({ id: TeamId }),
  user: z.object({ id: z.string().max(64) }),
  trigger_id: z.string().min(1).max(256),
  channel: z.object({ id: z.string().max(64) }).optional(),
  container: z.object({ message_ts: z.string().max(64).optional(), channel_id: z.string().max(64).optional() }).optional(),
  actions: z.array(z.object({ value: z.string().max(2000).optional() })).min(1),
});
export type SlackBlockActions = z.infer<typeof SlackBlockActions>;

/** What the Gatekeeper's inbox keeps for Slack: an event envelope or a button tap, as verified. */
export const SlackStored = z.union([SlackEventCallback, SlackBlockActions]);
export type SlackStored = z.infer<typeof SlackStored>;
