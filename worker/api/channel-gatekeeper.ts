import type { Context } from "hono";
import { loadGatewayConfig } from "../config.js";
import { knownAccountsOn } from "../gatekeeper/account-directory.js";
import { gatekeeperFor, gatekeeperOf } from "../gatekeeper/gatekeeper-client.js";
import { GatewayError } from "../http/gateway-error.js";

const SLACK_ACCOUNT = /^slack:[TE][A-Z0-9]{2,31}$/;

/**
 * The Gatekeeper behind `/api/…/:channel`; only channels with accounts have one. `telegram` is the
 * Worker's bot. A Slack workspace is `slack:<team id>`, or `slack` while one workspace has been
 * seen (its team id arrives with its first event: account-directory.ts); with several, `slack`
 * names them.
 */
export async function channelGatekeeper(c: Context<{ Bindings: Env }>, channel: string) {
  const config = loadGatewayConfig(c.env);
  if (channel === "telegram") return gatekeeperFor(c.env, config);
  if (SLACK_ACCOUNT.test(channel)) return gatekeeperOf(c.env, config, channel);
  if (channel === "slack") {
    const known = await knownAccountsOn(c.env, "slack");
    const [only] = known;
    if (only && known.length === 1) return gatekeeperOf(c.env, config, only.account);
    if (!only) {
      throw new GatewayError(
        404,
        "not_found",
        "no Slack workspace has sent an event yet; once one has, it is listed in GET /api/status (channels) as slack:<team id>",
      );
    }
    throw new GatewayError(
      409,
      "conflict",
      `several Slack workspaces have been seen; name one: ${known.map((account) => account.account).join(", ")}`,
    );
  }
  throw new GatewayError(
    404,
    "not_found",
    `no channel "${channel.slice(0, 40)}"; channels with access control: telegram, slack (or slack:<team id>)`,
  );
}
