/**
 * Where one interaction's replies go: Discord's follow-up webhook for it, valid for 15 minutes
 * after the interaction (its token expires then). The address is `<channel id>/<interaction
 * id>/<token>`; the interaction id is a snowflake and says when it was made, so no clock of ours
 * is needed to know whether the token still works. Past that, replies go to the channel as bot
 * messages. The token is a credential: it is never logged (see shownAddress).
 */
export type ReplyAddress = { channelId: string; interactionId: string | null; token: string | null };

const DISCORD_EPOCH_MS = 1_420_070_400_000;
/** Interaction tokens last 15 minutes; a minute is kept spare for the request itself. */
export const TOKEN_USABLE_MS = 14 * 60_000;

/** A user's DM with the bot, opened when a reply is sent (`POST /users/@me/channels`). */
export function userAddress(userId: string): string {
  return `user:${userId}`;
}

export function interactionAddress(channelId: string, interactionId: string, token: string): string {
  return `${channelId}/${interactionId}/${token}`;
}

export function readAddress(address: string): ReplyAddress {
  const [channelId = "", interactionId, ...rest] = address.split("/");
  const token = rest.join("/");
  return interactionId && token ? { channelId, interactionId, token } : { channelId, interactionId: null, token: null };
}

/** When Discord made the interaction (ms since 1970), from its snowflake id. */
export function snowflakeTimeMs(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS;
}

/** Does the interaction's token still work at `nowMs`? */
export function tokenUsable(interactionId: string, nowMs: number): boolean {
  return nowMs - snowflakeTimeMs(interactionId) < TOKEN_USABLE_MS;
}

/** The address as the audit log names it: the channel and the interaction, never the token. */
export function shownAddress(address: string): string {
  const { channelId, interactionId } = readAddress(address);
  return interactionId ? `${channelId} (interaction ${interactionId})` : channelId;
}
