import type { Api } from "grammy";
import type { PairingStore } from "../../shared/access/pairing-store.js";
import type { AuditKind } from "../audit/audit-event.js";
import type { EdgeSettings } from "../config.js";
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
  telegram: Api;
  /** Sends a reply, keeping it for a retry when Telegram cannot take it now. */
  reply: (chatId: string, text: string) => Promise<void>;
  /** This decision retries an update whose first attempt failed (its rate budget was already spent). */
  retry?: boolean;
  audit: (kind: AuditKind, actor: string, detail?: Record<string, string | number | boolean | null>) => Promise<void>;
};

/** The owner's Telegram id, or "" when the owner is configured on another channel. */
export function telegramOwnerId(settings: EdgeSettings): string {
  return settings.owner.channel === "telegram" ? settings.owner.id : "";
}
