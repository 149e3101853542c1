import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loadGatewayConfig } from "../../config.js";
import { noteAccountSeen } from "../../gatekeeper/account-directory.js";
import { gatekeeperOf } from "../../gatekeeper/gatekeeper-client.js";
import { channelSwitch } from "../../http/channel-switch.js";
import { GatewayError } from "../../http/gateway-error.js";
import { deliveryIdOf } from "./delivery-id.js";
import { SlackBlockActions, SlackEventsBody } from "./payloads.js";
import { slackSigned, type SlackVariables } from "./signed-request.js";
import { CHANNEL_SECRETS } from "../channel-secrets.js";

/** Slack's events and taps are small; anything bigger is not from Slack. */
const MAX_BODY_BYTES = 256 * 1024;

type SlackEnv = { Bindings: Env; Variables: SlackVariables };

/**
 * `POST /slack/events` (Events API) and `POST /slack/interactivity` (button taps): off without
 * its secrets, capped, verified before parsing, stored durably in the workspace's Gatekeeper
 * (deduplicated, so Slack's retries are processed once) and only then acknowledged — well inside
 * Slack's 3 s, since processing happens after the answer.
 */
export const slackRoutes = new Hono<SlackEnv>()
  .use(
    "*",
    channelSwitch("Slack", CHANNEL_SECRETS.slack),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new GatewayError(413, "payload_too_large", `Slack requests are limited to ${MAX_BODY_BYTES} bytes`);
      },
    }),
    slackSigned(),
  )
  .post("/events", async (c) => {
    const raw = c.get("rawBody");
    const body = SlackEventsBody.safeParse(parseJson(raw));
    if (!body.success) throw new GatewayError(400, "bad_request", "expected a Slack Events API body");
    const envelope = body.data;
    if ("challenge" in envelope) return c.json({ challenge: envelope.challenge });
    if (!("event_id" in envelope)) return c.json({ ok: true });
    const config = loadGatewayConfig(c.env);
    const { gatekeeper, settings } = gatekeeperOf(c.env, config, `slack:${envelope.team_id}`);
    await gatekeeper.receiveDelivery(settings, await deliveryIdOf("event", envelope.event_id), raw);
    await noteAccountSeen(c.env, settings.account);
    return c.json({ ok: true });
  })
  .post("/interactivity", async (c) => {
    const payload = new URLSearchParams(c.get("rawBody")).get("payload");
    const parsed = parseJson(payload ?? "");
    if (parsed === undefined) throw new GatewayError(400, "bad_request", "expected a form field payload=<json>");
    const tap = SlackBlockActions.safeParse(parsed);
    // Other interactions (modals, shortcuts) are not used: acknowledged and ignored.
    if (!tap.success) return c.body(null, 200);
    const config = loadGatewayConfig(c.env);
    const { gatekeeper, settings } = gatekeeperOf(c.env, config, `slack:${tap.data.team.id}`);
    await gatekeeper.receiveDelivery(settings, await deliveryIdOf("tap", tap.data.trigger_id), JSON.stringify(tap.data));
    await noteAccountSeen(c.env, settings.account);
    return c.body(null, 200);
  });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
