import type { Role } from "../../shared/access/roles.js";
import type { EdgeSettings } from "../config.js";
import { retryOnce } from "../objects/retry-once.js";
import { gatekeeperStub } from "../objects/stubs.js";
import type { TurnAsker } from "./turn-state.js";

/**
 * The sender's role now, asked of their Gatekeeper for every tool call, so a role changed, a
 * revocation or a block in the middle of a turn counts at the next call. Null: no longer served.
 */
export async function currentRole(env: Env, settings: EdgeSettings, asker: TurnAsker): Promise<Role | null> {
  if (asker.senderKey === settings.owner.key && asker.role === "owner") return "owner";
  const senderId = /^telegram:(-?\d{1,20})$/.exec(asker.senderKey)?.[1];
  if (asker.channel !== "telegram" || senderId === undefined) return null;
  const from = { chat: asker.chat === "dm" ? "private" : "group", chatId: asker.chatId } as const;
  return await retryOnce(async () => await gatekeeperStub(env, asker.account).standingOf(settings, senderId, from));
}
