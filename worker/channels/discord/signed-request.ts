import { createMiddleware } from "hono/factory";
import { GatewayError } from "../../http/gateway-error.js";
import { checkDiscordSignature } from "./signature.js";

export type DiscordVariables = { rawBody: string };

/**
 * Verifies Discord's Ed25519 signature over the raw body before anything parses it; the verified
 * text is handed on as `rawBody` (never re-serialised JSON). Runs after the body cap. Discord
 * itself sends forged requests now and then to check this, and disables the endpoint if one is
 * not refused with a 401.
 */
export function discordSigned() {
  return createMiddleware<{ Bindings: Env; Variables: DiscordVariables }>(async (c, next) => {
    const raw = await c.req.text();
    const check = await checkDiscordSignature(
      c.env.DISCORD_PUBLIC_KEY ?? "",
      c.req.header("x-signature-timestamp"),
      c.req.header("x-signature-ed25519"),
      raw,
      Date.now(),
    );
    if (check === "stale") throw new GatewayError(401, "unauthorized", "missing or stale X-Signature-Timestamp (more than 5 minutes off)");
    if (check === "bad") throw new GatewayError(401, "unauthorized", "missing or wrong X-Signature-Ed25519");
    c.set("rawBody", raw);
    await next();
  });
}
