import { Hono } from "hono";
import { parseAccessConfig } from "../../shared/access/access-config.js";
import { CallId } from "../../shared/tunnel/protocol.js";
import { modelSettingOf } from "../assistant/model/model-setting.js";
import { GatewayError } from "../http/gateway-error.js";
import { retryOnce } from "../objects/retry-once.js";
import { hubStub, telegramAccount } from "../objects/stubs.js";
import { knownAccountsOn } from "../gatekeeper/account-directory.js";
import type { ChannelAccount } from "../../shared/admin-api.js";
import { directoryOf, runnerOfCall } from "../tunnel/hubs.js";

function callHub(env: Env, id: string) {
  const runner = CallId.safeParse(id).success ? runnerOfCall(id) : null;
  if (!runner) throw new GatewayError(404, "not_found", "no such call");
  return hubStub(env, runner);
}

class HubSilent {
  readonly message: string;
  constructor(cause: unknown) {
    this.message = `its hub did not answer: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 300);
  }
}
const UNKNOWN_RUNNER = { connected: false, since: null, lastSeen: null, queueDepth: 0, inFlight: 0, keys: 0 };

/** Secrets `drawbridge audit --deep` asks about: whether each is set, never its value. */
const AUDITED_SECRETS = ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "GATEWAY_SIGNING_KEY", "DRAWBRIDGE_MODEL_API_KEY"] as const;

/**
 * `GET /api/status`: every registered runner with its connected state, last seen and queue
 * depth; which secrets are set (true/false only) and the access config as served, for the audit. `GET /api/calls/:id`: a call's state and, once finished, its outcome — how the console
 * channel picks up the result of a call that was queued or outlived its request.
 */
export const statusRoute = new Hono<{ Bindings: Env }>()
  .get("/status", async (c) => {
    const names = await directoryOf(c.env).list();
    const runners = await Promise.all(
      names.map(async (name) => {
        // One runner's hub failing (reset twice by a deploy, say) is that runner's line, not a 500 for the whole status.
        const status = await retryOnce(() => hubStub(c.env, name).status(name)).catch((error: unknown) => new HubSilent(error));
        if (status instanceof HubSilent) return { ...UNKNOWN_RUNNER, runner: name, unavailable: status.message };
        return {
          runner: status.runner,
          connected: status.connected,
          since: status.since,
          lastSeen: status.lastSeen,
          queueDepth: status.queueDepth,
          inFlight: status.inFlight,
          keys: status.keys.length,
        };
      }),
    );
    // Only the model's own setting is read: status still answers while another setting is wrong.
    const secrets = Object.fromEntries(AUDITED_SECRETS.map((name) => [name, (c.env[name] ?? "").trim() !== ""]));
    const access = parseAccessConfig(c.env.DRAWBRIDGE_ACCESS);
    const served = access.ok ? { config: access.config, error: null } : { config: null, error: access.message };
    return c.json({ runners, model: modelSettingOf(c.env)?.id ?? null, secrets, access: served, channels: await channelAccounts(c.env) });
  })
  .get("/calls/:id", async (c) => {
    const call = await callHub(c.env, c.req.param("id")).getCall(c.req.param("id"));
    if (!call) throw new GatewayError(404, "not_found", "no such call");
    return c.json(call);
  })
  .delete("/calls/:id", async (c) => {
    const call = await callHub(c.env, c.req.param("id")).cancelCall(c.req.param("id"));
    if (!call) throw new GatewayError(404, "not_found", "no such call");
    return c.json(call);
  });

/** Telegram's bot when its token is set, and every Slack workspace seen; a directory outage only shortens the list. */
async function channelAccounts(env: Env): Promise<ChannelAccount[]> {
  const telegram: ChannelAccount[] =
    (env.TELEGRAM_BOT_TOKEN ?? "").trim() === ""
      ? []
      : [{ channel: "telegram", account: telegramAccount(env), firstSeen: null, lastSeen: null }];
  const slack = await knownAccountsOn(env, "slack").catch((error: unknown) => {
    console.error(JSON.stringify({ event: "status.accounts_failed", error: String(error) }));
    return [];
  });
  return [...telegram, ...slack.map((known) => ({ channel: "slack", ...known }))];
}
