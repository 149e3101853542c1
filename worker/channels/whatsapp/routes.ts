import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loadGatewayConfig } from "../../config.js";
import { gatekeeperOf } from "../../gatekeeper/gatekeeper-client.js";
import { channelSwitch } from "../../http/channel-switch.js";
import { GatewayError } from "../../http/gateway-error.js";
import { messageDeliveryId } from "./delivery-id.js";
import { webhookItems } from "./inbox-items.js";
import { WhatsAppWebhook } from "./payloads.js";
import { verifyTokenMatches } from "./signature.js";
import { whatsappSigned, type WhatsAppVariables } from "./signed-request.js";
import { CHANNEL_SECRETS } from "../channel-secrets.js";

/** Meta batches at most a few hundred small notifications; anything bigger is not from Meta. */
const MAX_BODY_BYTES = 512 * 1024;

type WhatsAppEnv = { Bindings: Env; Variables: WhatsAppVariables };

/** The Gatekeeper account of our number: one per phone number id. */
export function whatsappAccount(phoneNumberId: string): string {
  return `whatsapp:${phoneNumberId}`;
}

/**
 * `GET /whatsapp/webhook` (the verification handshake) and `POST /whatsapp/webhook` (messages and
 * statuses): off without its secrets, capped, verified before parsing, each message stored
 * durably in the number's Gatekeeper (deduplicated by its wamid, so Meta's re-sends are
 * processed once) and only then acknowledged; processing happens after the answer.
 */
export const whatsappRoutes = new Hono<WhatsAppEnv>()
  .use("*", channelSwitch("WhatsApp", CHANNEL_SECRETS.whatsapp))
  .get("/webhook", async (c) => {
    const mode = c.req.query("hub.mode");
    const challenge = c.req.query("hub.challenge") ?? "";
    const tokenOk = await verifyTokenMatches(c.req.query("hub.verify_token"), c.env.WHATSAPP_VERIFY_TOKEN ?? "");
    // The challenge is echoed back as plain text only; a printable, short one is all Meta sends.
    if (mode !== "subscribe" || !tokenOk || !/^[\x21-\x7e]{1,256}$/.test(challenge)) {
      throw new GatewayError(403, "forbidden", "verification refused: wrong hub.mode, hub.verify_token or hub.challenge");
    }
    return c.text(challenge, 200, { "content-type": "text/plain; charset=utf-8" });
  })
  .post(
    "/webhook",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new GatewayError(413, "payload_too_large", `WhatsApp webhooks are limited to ${MAX_BODY_BYTES} bytes`);
      },
    }),
    whatsappSigned(),
    async (c) => {
      const webhook = WhatsAppWebhook.safeParse(parseJson(c.get("rawBody")));
      if (!webhook.success) throw new GatewayError(400, "bad_request", "expected a WhatsApp Business Account webhook body");
      const phoneNumberId = c.env.WHATSAPP_PHONE_NUMBER_ID ?? "";
      const { items, foreign } = webhookItems(webhook.data, phoneNumberId);
      if (foreign.length > 0) {
        // Another number of the same business account: not ours to answer, so nothing of it is stored.
        console.error(JSON.stringify({ event: "whatsapp.foreign_number", phoneNumberIds: [...new Set(foreign)].slice(0, 5) }));
      }
      if (items.length === 0) return c.json({ ok: true });
      const config = loadGatewayConfig(c.env);
      const { gatekeeper, settings } = gatekeeperOf(c.env, config, whatsappAccount(phoneNumberId));
      // One at a time, so the inbox keeps Meta's order; each is durable before the 200.
      for (const item of items) {
        await gatekeeper.receiveDelivery(settings, await messageDeliveryId(item.message.id), JSON.stringify(item));
      }
      return c.json({ ok: true });
    },
  );

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
