import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loadGatewayConfig } from "../../config.js";
import { GatewayError } from "../../http/gateway-error.js";
import { jsonBody } from "../../http/json-body.js";
import { requireSecrets } from "../../http/require-secrets.js";
import { gatekeeperFor } from "../../gatekeeper/gatekeeper-client.js";
import { TelegramUpdate } from "./update.js";
import { telegramSecret } from "./webhook-secret.js";
import { CHANNEL_SECRETS } from "../channel-secrets.js";

/** Telegram updates are small; anything bigger is not from Telegram. */
const MAX_UPDATE_BYTES = 256 * 1024;

export const telegramWebhook = new Hono<{ Bindings: Env }>().post(
  "/webhook",
  requireSecrets(CHANNEL_SECRETS.telegram),
  telegramSecret(),
  bodyLimit({
    maxSize: MAX_UPDATE_BYTES,
    onError: () => {
      throw new GatewayError(413, "payload_too_large", `updates are limited to ${MAX_UPDATE_BYTES} bytes`);
    },
  }),
  jsonBody(TelegramUpdate, "a Telegram update"),
  async (c) => {
    const config = loadGatewayConfig(c.env);
    const update = c.req.valid("json");
    // Durably stored (or recognised as a re-send) before Telegram hears 200; the Gatekeeper
    // processes it after this answer, so a slow tool call never holds up the webhook.
    const { gatekeeper, settings } = gatekeeperFor(c.env, config);
    await gatekeeper.receive(settings, update);
    return c.json({ ok: true });
  },
);
