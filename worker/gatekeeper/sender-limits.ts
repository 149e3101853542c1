import type { AccessConfig } from "../../shared/access/access-config.js";
import type { RateRule } from "../../shared/access/gcra.js";
import type { Role } from "../../shared/access/roles.js";

/** The bucket rule for a served sender's messages or tool calls, by role (rateLimits in the access config). */
export function senderRule(limits: AccessConfig["rateLimits"], role: Role, action: "message" | "tool"): RateRule {
  if (role === "owner") return limits.owner[action];
  if (role === "trusted") return limits.trusted[action] ?? limits[action];
  return limits[action];
}
