import type { GatewayConfig } from "../config.js";
import type { EdgeSettings } from "./gate.js";
import type { Gatekeeper } from "./gatekeeper.js";

/**
 * One Gatekeeper per channel account. A Telegram account is its bot: the numeric id before
 * the ":" in the bot token (public, and stable when the token is rotated).
 */
export function telegramAccount(env: Env): string {
  const botId = /^(\d{1,20}):/.exec(env.TELEGRAM_BOT_TOKEN ?? "")?.[1];
  return `telegram:${botId ?? "default"}`;
}

export function gatekeeperFor(env: Env, config: GatewayConfig): { gatekeeper: DurableObjectStub<Gatekeeper>; settings: EdgeSettings } {
  const account = telegramAccount(env);
  return { gatekeeper: env.GATEKEEPER.get(env.GATEKEEPER.idFromName(account)), settings: { ...config, account } };
}
