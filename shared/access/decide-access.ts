import type { AccessConfig } from "./access-config.js";
import type { Role } from "./roles.js";

/** What the gate knows about one inbound chat message. */
export type MessageFacts = {
  chat: "private" | "group";
  chatId: string;
  senderId: string;
  text: string;
  /** The platform says the bot was mentioned (Slack's app_mention), its mention already cut from `text`. */
  mentioned?: boolean;
};

export type DropReason =
  "blocked" | "dm_disabled" | "not_allowlisted" | "group_disabled" | "group_not_allowed" | "group_sender_not_allowed" | "no_mention";

export type AccessDecision = { kind: "serve"; role: Role; text: string } | { kind: "pair" } | { kind: "drop"; reason: DropReason };

/**
 * A sender's role: the owner by config; `blocked` from config or the owner's decision always
 * wins; then the config's role, the approved role, and the default role for allowlisted ids.
 * Null = a stranger. Only numeric ids count: usernames and display names are never consulted.
 */
export function resolveRole(
  senderId: string,
  ownerId: string,
  config: AccessConfig,
  stored: Role | null,
  allowlisted: boolean,
): Role | null {
  if (senderId === ownerId) return "owner";
  const fixed = config.roles[senderId];
  if (fixed === "blocked" || stored === "blocked") return "blocked";
  if (fixed) return fixed;
  if (stored) return stored;
  return allowlisted ? config.pairing.defaultRole : null;
}

/** The identity gate (DESIGN.md "Channel access"), pure: the Gatekeeper stores, this decides. */
export function decideAccess(facts: MessageFacts, ownerId: string, config: AccessConfig, stored: Role | null): AccessDecision {
  return facts.chat === "private" ? decideDirect(facts, ownerId, config, stored) : decideGroup(facts, ownerId, config, stored);
}

function decideDirect(facts: MessageFacts, ownerId: string, config: AccessConfig, stored: Role | null): AccessDecision {
  const listed = config.allowFrom.includes(facts.senderId) || (config.dmPolicy === "open" && config.allowFrom.includes("*"));
  const role = resolveRole(facts.senderId, ownerId, config, stored, listed);
  if (role === "blocked") return { kind: "drop", reason: "blocked" };
  if (role === "owner") return { kind: "serve", role, text: facts.text };
  if (config.dmPolicy === "disabled") return { kind: "drop", reason: "dm_disabled" };
  if (role) return { kind: "serve", role, text: facts.text };
  return config.dmPolicy === "pairing" ? { kind: "pair" } : { kind: "drop", reason: "not_allowlisted" };
}

function decideGroup(facts: MessageFacts, ownerId: string, config: AccessConfig, stored: Role | null): AccessDecision {
  const groups = config.groups;
  if (groups.policy === "disabled") return { kind: "drop", reason: "group_disabled" };
  if (groups.policy === "allowlist" && !groups.allowChats.includes(facts.chatId)) return { kind: "drop", reason: "group_not_allowed" };
  let text = facts.text;
  if (groups.requireMention && facts.mentioned !== true) {
    // Only the text counts: replying to one of the bot's messages is not a mention.
    const mention = groups.mentionPatterns.map((pattern) => new RegExp(pattern, "iu")).find((pattern) => pattern.test(text));
    if (!mention) return { kind: "drop", reason: "no_mention" };
    text = text.replace(mention, " ").trim();
  }
  const listed = groups.allowFrom.includes(facts.senderId) || groups.allowFrom.includes("*");
  const role = resolveRole(facts.senderId, ownerId, config, stored, listed);
  if (role === "blocked") return { kind: "drop", reason: "blocked" };
  if (role !== "owner" && !listed) return { kind: "drop", reason: "group_sender_not_allowed" };
  return role ? { kind: "serve", role, text } : { kind: "drop", reason: "group_sender_not_allowed" };
}
