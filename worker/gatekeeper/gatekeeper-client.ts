import type { EdgeSettings, GatewayConfig } from "../config.js";
import { gatekeeperStub, telegramAccount, type GatekeeperStub } from "../objects/stubs.js";

/** The Gatekeeper of the Worker's own bot, with the settings it decides under. */
export function gatekeeperFor(env: Env, config: GatewayConfig): { gatekeeper: GatekeeperStub; settings: EdgeSettings } {
  const account = telegramAccount(env);
  return { gatekeeper: gatekeeperStub(env, account), settings: { ...config, account } };
}

/** The Gatekeeper of one channel account (`slack:<team id>`, …), with the settings it decides under. */
export function gatekeeperOf(env: Env, config: GatewayConfig, account: string): { gatekeeper: GatekeeperStub; settings: EdgeSettings } {
  return { gatekeeper: gatekeeperStub(env, account), settings: { ...config, account } };
}
