import { createMiddleware } from "hono/factory";
import { GatewayError } from "./gateway-error.js";

export type SecretName =
  | "TELEGRAM_BOT_TOKEN"
  | "TELEGRAM_WEBHOOK_SECRET"
  | "GATEWAY_TOKEN"
  | "GATEWAY_SIGNING_KEY"
  | "SLACK_SIGNING_SECRET"
  | "SLACK_BOT_TOKEN"
  | "DISCORD_PUBLIC_KEY"
  | "DISCORD_APPLICATION_ID"
  | "DISCORD_BOT_TOKEN"
  | "WHATSAPP_APP_SECRET"
  | "WHATSAPP_VERIFY_TOKEN"
  | "WHATSAPP_ACCESS_TOKEN"
  | "WHATSAPP_PHONE_NUMBER_ID";

/** Fails closed: a route whose secrets are unset answers 503 naming the secret and how to set it. */
export function requireSecrets(names: readonly SecretName[]) {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    for (const name of names) {
      const value = c.env[name];
      if (typeof value !== "string" || value.trim() === "") {
        throw new GatewayError(
          503,
          "secret_missing",
          `${name} is not set, so this route is closed. Set it with \`wrangler secret put ${name}\` (local dev: add ${name}=… to the env file \`npm start\` writes under .drawbridge/).`,
        );
      }
    }
    await next();
  });
}
