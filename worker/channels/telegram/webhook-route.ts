import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loadGatewayConfig } from "../../config.js";
import { handleMessage } from "../../conversation/handle-message.js";
import { GatewayError } from "../../http/gateway-error.js";
import { requireSecrets } from "../../http/require-secrets.js";
import { botApi, sendReply } from "./bot-api.js";
import type { GatewayConfig } from "../../config.js";
import type { InboundMessage } from "../../conversation/inbound-message.js";
import { TelegramUpdate, toInboundMessage } from "./update.js";
import { telegramSecret } from "./webhook-secret.js";

/** Telegram updates are small; anything bigger is not from Telegram. */
const MAX_UPDATE_BYTES = 256 * 1024;

export const telegramWebhook = new Hono<{ Bindings: Env }>().post(
  "/webhook",
  requireSecrets(["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"]),
  telegramSecret(),
  bodyLimit({
    maxSize: MAX_UPDATE_BYTES,
    onError: () => {
      throw new GatewayError(413, "payload_too_large", `updates are limited to ${MAX_UPDATE_BYTES} bytes`);
    },
  }),
  async (c) => {
    const config = loadGatewayConfig(c.env);
    const body: unknown = await c.req.json().catch(() => undefined);
    const update = TelegramUpdate.safeParse(body);
    if (!update.success) throw new GatewayError(400, "bad_request", "the body is not a Telegram update");
    const message = toInboundMessage(update.data);
    if (message) {
      // Answer Telegram now; the tool call may take seconds and Telegram re-sends slow updates.
      c.executionCtx.waitUntil(answer(c.env, config, message));
    }
    return c.json({ ok: true });
  },
);

/** Runs the message through the pipeline and replies; an internal failure still gets an answer. */
async function answer(env: Env, config: GatewayConfig, message: InboundMessage): Promise<void> {
  let reply: string | null;
  try {
    reply = await handleMessage(env, config, message);
  } catch (error) {
    console.error(JSON.stringify({ event: "pipeline.failed", error: String(error) }));
    reply = "⚠️ The gateway hit an internal error handling that message. Nothing ran; please try again.";
  }
  if (reply) await sendReply(botApi(env, config), message.chatId, reply);
}
