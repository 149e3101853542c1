import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loadGatewayConfig } from "../../config.js";
import { gatekeeperOf } from "../../gatekeeper/gatekeeper-client.js";
import { channelSwitch } from "../../http/channel-switch.js";
import { GatewayError } from "../../http/gateway-error.js";
import {
  APPLICATION_COMMAND,
  DEFERRED_CHANNEL_MESSAGE,
  DEFERRED_UPDATE_MESSAGE,
  DiscordInteraction,
  MESSAGE_COMPONENT,
  PING,
  PONG,
} from "./payloads.js";
import { discordSigned, type DiscordVariables } from "./signed-request.js";
import { CHANNEL_SECRETS } from "../channel-secrets.js";

/** Interactions are small (a command and its options); anything bigger is not from Discord. */
const MAX_BODY_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/**
 * `POST /discord/interactions` (the application's Interactions Endpoint URL): off without its
 * secrets, capped, verified before parsing, answered PONG to a PING. A slash command or a button
 * tap is stored durably in the application's Gatekeeper (deduplicated by interaction id) and only
 * then acknowledged — deferred (type 5 "thinking…", type 6 for a tap) inside Discord's 3 s; the
 * answer follows through the interaction's webhook once the Gatekeeper has processed it.
 */
export const discordRoutes = new Hono<{ Bindings: Env; Variables: DiscordVariables }>()
  .use(
    "*",
    channelSwitch("Discord", CHANNEL_SECRETS.discord),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new GatewayError(413, "payload_too_large", `Discord interactions are limited to ${MAX_BODY_BYTES} bytes`);
      },
    }),
    discordSigned(),
  )
  .post("/interactions", async (c) => {
    const raw = c.get("rawBody");
    const parsed = DiscordInteraction.safeParse(parseJson(raw));
    if (!parsed.success) throw new GatewayError(400, "bad_request", "expected a Discord interaction");
    const interaction = parsed.data;
    if (interaction.type === PING) return c.json({ type: PONG });
    if (interaction.application_id !== c.env.DISCORD_APPLICATION_ID?.trim()) {
      throw new GatewayError(400, "bad_request", "the interaction is for another application than DISCORD_APPLICATION_ID");
    }
    if (interaction.type !== APPLICATION_COMMAND && interaction.type !== MESSAGE_COMPONENT) {
      throw new GatewayError(400, "bad_request", "only slash commands and buttons are used");
    }
    const config = loadGatewayConfig(c.env);
    const { gatekeeper, settings } = gatekeeperOf(c.env, config, `discord:${interaction.application_id}`);
    await gatekeeper.receiveDelivery(settings, await deliveryIdOf(interaction.id), raw);
    return c.json({ type: interaction.type === MESSAGE_COMPONENT ? DEFERRED_UPDATE_MESSAGE : DEFERRED_CHANNEL_MESSAGE });
  });

/** The inbox dedupes by a number: 48 bits of the interaction id's SHA-256 (a snowflake does not fit a double). */
async function deliveryIdOf(interactionId: string): Promise<number> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`discord:${interactionId}`)));
  let value = 0;
  for (const byte of digest.subarray(0, 6)) value = value * 256 + byte;
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
