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

/** Parses a JSON body once, answering 400 with what was expected. */
export async function jsonBody<T>(
  c: Context,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  expected: string,
): Promise<T> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) throw new GatewayError(400, "bad_request", `expected ${expected}`);
  return parsed.data;
}
