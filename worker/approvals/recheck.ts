import type { Role } from "../../shared/access/roles.js";
import { decideToolFor } from "../policy/tool-decision.js";
import { isOwnerKey, type EdgeSettings } from "../config.js";
import { retryOnce } from "../objects/retry-once.js";
import { gatekeeperStub } from "../objects/stubs.js";
import type { Approval } from "./approval.js";

/** May the allowed call still run? If not: why (for the owner), and whether the sender may still hear from the bot. */
export type Recheck = { ok: true } | { ok: false; why: string; tellSender: boolean; role: Role | null };

/**
 * The sender's standing when the owner allows, not when they asked: their current role (the
 * Gatekeeper's allowlist and roles under today's config) and the tool policy for that role.
 * Allow or ask both mean the owner's Allow stands; anything else runs nothing.
 */
export async function recheckAsker(env: Env, settings: EdgeSettings, approval: Approval): Promise<Recheck> {
  const { asker } = approval;
  const role = await currentRole(env, settings, approval);
  if (role === null) return { ok: false, why: `${asker.senderKey} is no longer allowed to use the bot`, tellSender: false, role };
  if (role === "blocked") return { ok: false, why: `${asker.senderKey} is now blocked`, tellSender: false, role };
  const verdict = decideToolFor(settings, { role, senderKey: asker.senderKey }, approval.request);
  if (verdict.kind !== "deny") return { ok: true };
  const who =
    role === asker.role ? `the tool policy no longer lets ${asker.senderKey} (${role}) do this` : `${asker.senderKey} is now ${role}`;
  return { ok: false, why: `${who}: ${verdict.reason.replace(/\.$/, "")}`, tellSender: true, role };
}

async function currentRole(env: Env, settings: EdgeSettings, approval: Approval): Promise<Role | null> {
  const { senderKey } = approval.asker;
  // An assistant turn's ask answers in the chat the turn came from.
  const replyTo = approval.asker.replyTo.channel === "assistant" ? approval.asker.replyTo.origin : approval.asker.replyTo;
  if (isOwnerKey(settings, senderKey)) return "owner";
  const [channel, senderId] = senderKey.split(":");
  // Only channel senders other than the owner can ask; anything else has no standing to re-check.
  if (!senderId || replyTo.channel === "console" || channel !== replyTo.channel) return null;
  // A Telegram DM's chat id is the sender's own id, a Slack DM's a D… conversation, a Discord DM says so; any other chat is a group.
  const direct =
    replyTo.channel === "slack"
      ? replyTo.chatId.startsWith("D")
      : replyTo.channel === "discord"
        ? replyTo.dm === true
        : replyTo.chatId === senderId;
  const from = { chat: direct ? "private" : "group", chatId: replyTo.chatId } as const;
  const account = "account" in replyTo ? replyTo.account : settings.account;
  return await retryOnce(async () => await gatekeeperStub(env, account).standingOf({ ...settings, account }, senderId, from));
}
