import { z } from "zod";

/** What a sender may do. Keyed on numeric channel ids, never on usernames or display names. */
export const Role = z.enum(["owner", "trusted", "limited", "blocked"]);
export type Role = z.infer<typeof Role>;

/** Roles the owner can hand out; `owner` comes only from DRAWBRIDGE_OWNER. */
export const GrantableRole = z.enum(["trusted", "limited", "blocked"]);
export type GrantableRole = z.infer<typeof GrantableRole>;

/**
 * A channel's sender id as text: numeric for Telegram (ids exceed 32 bits, so never a JS number
 * key), `U…`/`W…` for Slack. The shapes never overlap, so one config names ids of every channel.
 */
export const SenderId = z
  .string()
  .regex(/^(-?\d{1,20}|[UW][A-Z0-9]{2,31})$/, "expected a channel's sender id, e.g. 123456789 (Telegram) or U0123ABCD (Slack)");
export type SenderId = z.infer<typeof SenderId>;

/** A group chat's id: negative numbers in Telegram, `C…`/`G…` channel ids in Slack. */
export const ChatId = z
  .string()
  .regex(/^(-?\d{1,20}|[CG][A-Z0-9]{2,31})$/, "expected a chat id, e.g. -1001234567890 (Telegram) or C0123ABCD (Slack)");
export type ChatId = z.infer<typeof ChatId>;
