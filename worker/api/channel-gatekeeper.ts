import type { Context } from "hono";
import { loadGatewayConfig } from "../config.js";
import { gatekeeperFor } from "../gatekeeper/gatekeeper-client.js";
import { GatewayError } from "../http/gateway-error.js";

/** The Gatekeeper behind `/api/…/:channel`; only channels with accounts have one. */
export function channelGatekeeper(c: Context<{ Bindings: Env }>, channel: string) {
  if (channel !== "telegram")
    throw new GatewayError(404, "not_found", `no channel "${channel.slice(0, 40)}"; channels with access control: telegram`);
  return gatekeeperFor(c.env, loadGatewayConfig(c.env));
}
