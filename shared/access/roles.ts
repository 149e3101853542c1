import { z } from "zod";

/** What a sender may do. Keyed on numeric channel ids, never on usernames or display names. */
export const Role = z.enum(["owner", "trusted", "limited", "blocked"]);
export type Role = z.infer<typeof Role>;

/** Roles the owner can hand out; `owner` comes only from DRAWBRIDGE_OWNER. */
export const GrantableRole = z.enum(["trusted", "limited", "blocked"]);
export type GrantableRole = z.infer<typeof GrantableRole>;

/** A channel's numeric sender id as text (Telegram ids exceed 32 bits, so never a JS number key). */
export const SenderId = z.string().regex(/^-?\d{1,20}$/, "expected a numeric channel id, e.g. 123456789");
export type SenderId = z.infer<typeof SenderId>;
