import type { Role } from "../../shared/access/roles.js";
import { isOwnerKey, type EdgeSettings } from "../config.js";
import { retryOnce } from "../objects/retry-once.js";
import { gatekeeperStub } from "../objects/stubs.js";
import type { TurnAsker } from "./turn-state.js";

/**
 * The sender's role now, asked of their Gatekeeper for every tool call, so a role changed, a
 * revocation or a block in the middle of a turn counts at the next call. Null: no longer served.
 */
export async function currentRole(env: Env, settings: EdgeSettings, asker: TurnAsker): Promise<Role | null> {
  // A hook has no standing at a Gatekeeper: its role is fixed when its turn starts, and its own profile narrows it (hook-tools.ts).
  if (asker.hook !== undefined) return asker.role;
  if (isOwnerKey(settings, asker.senderKey) && asker.role === "owner") return "owner";
  const [channel, senderId] = asker.senderKey.split(":");
  if (!["telegram", "slack", "whatsapp", "discord"].includes(asker.channel) || channel !== asker.channel || !senderId) return null;
  const from = { chat: asker.chat === "dm" ? "private" : "group", chatId: asker.chatId } as const;
  return await retryOnce(async () => await gatekeeperStub(env, asker.account).standingOf(settings, senderId, from));
}
