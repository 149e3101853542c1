import { decideAccess } from "../../shared/access/decide-access.js";
import type { Role } from "../../shared/access/roles.js";
import { accountOwnerId, type EdgeSettings } from "./gate.js";

/** Where a sender asked from: their DM with the bot, or a group. */
export type AskedFrom = { chat: "private" | "group"; chatId: string };

/**
 * A sender's role right now in the chat they asked from, by the same identity gate a new message
 * passes: `blocked`, or null when they would no longer be served there at all (revoked, group
 * dropped from the allowlist). Mentions are not a standing, so they are not required here.
 */
export function currentStanding(settings: EdgeSettings, stored: Role | null, senderId: string, from: AskedFrom): Role | null {
  const access = { ...settings.access, groups: { ...settings.access.groups, requireMention: false } };
  const decision = decideAccess({ ...from, senderId, text: "" }, accountOwnerId(settings), access, stored);
  if (decision.kind === "serve") return decision.role;
  return decision.kind === "drop" && decision.reason === "blocked" ? "blocked" : null;
}
