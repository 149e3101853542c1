import type { EdgeSettings, GatewayConfig } from "../config.js";
import { gatekeeperStub, telegramAccount, type GatekeeperStub } from "../objects/stubs.js";

/** The Gatekeeper of the Worker's own bot, with the settings it decides under. */
export function gatekeeperFor(env: Env, config: GatewayConfig): { gatekeeper: GatekeeperStub; settings: EdgeSettings } {
  const account = telegramAccount(env);
  return { gatekeeper: gatekeeperStub(env, account), settings: { ...config, account } };
}
