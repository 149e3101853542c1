import { createMiddleware } from "hono/factory";
import { GatewayError } from "./gateway-error.js";
import { requireSecrets, type SecretName } from "./require-secrets.js";

/**
 * A channel's on/off switch, from its secrets alone: none set → the channel is off and its routes
 * answer 404 saying so; some set → 503 naming the first missing one and how to set it; all set →
 * on. Never serves half-configured.
 */
export function channelSwitch(channel: string, names: readonly SecretName[]) {
  const required = requireSecrets(names);
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const set = names.filter((name) => {
      const value = c.env[name];
      return typeof value === "string" && value.trim() !== "";
    });
    if (set.length === 0) {
      throw new GatewayError(
        404,
        "not_found",
        `the ${channel} channel is off: set ${names.join(" and ")} to turn it on (docs/channels.md)`,
      );
    }
    await required(c, next);
  });
}
