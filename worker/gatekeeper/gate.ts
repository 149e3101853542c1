import type { PairingStore } from "../../shared/access/pairing-store.js";
import type { AuditKind } from "../audit/audit-event.js";
import type { AccountChannel, ChannelClient } from "../channels/channel-client.js";
import { channelOfAccount } from "../channels/channel-client.js";
import { ownerOn, type EdgeSettings } from "../config.js";
import type { AllowedSenders } from "./allowed-senders.js";
import type { RateLimiter } from "./rate-limiter.js";

export type { EdgeSettings } from "../config.js";

/** Everything one decision of the Gatekeeper touches. */
export type Gate = {
  env: Env;
  settings: EdgeSettings;
  now: () => number;
  pairing: PairingStore;
  allowed: AllowedSenders;
  limits: RateLimiter;
  /** The channel this Gatekeeper serves, and its platform's API. */
  channel: AccountChannel;
  client: ChannelClient;
  /** Sends a reply, keeping it for a retry when the platform cannot take it now. */
  reply: (chatId: string, text: string) => Promise<void>;
  /** This decision retries an update whose first attempt failed (its rate budget was already spent). */
  retry?: boolean;
  audit: (kind: AuditKind, actor: string, detail?: Record<string, string | number | boolean | null>) => Promise<void>;
};

/** The owner's id on this Gatekeeper's channel, or "" when DRAWBRIDGE_OWNER names no owner there. */
export function accountOwnerId(settings: EdgeSettings): string {
  return ownerOn(settings, channelOfAccount(settings.account))?.id ?? "";
}

/** How the audit log and the sessions name a sender of this channel: `<channel>:<id>`. */
export function actorOf(gate: Pick<Gate, "channel">, senderId: string): string {
  return `${gate.channel}:${senderId}`;
}
