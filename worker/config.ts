import { z } from "zod";
import { parseAccessConfig, type AccessConfig } from "../shared/access/access-config.js";
import { OwnerList, type ChannelIdentity, type ChannelName } from "../shared/identity.js";
import { RunnerName } from "../shared/tunnel/protocol.js";
import { modelSettingOf, type ModelSetting } from "./assistant/model/model-setting.js";
import { GatewayError } from "./http/gateway-error.js";

const GatewayConfig = z.object({
  DRAWBRIDGE_OWNER: OwnerList,
  DEFAULT_RUNNER: RunnerName,
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }),
  SLACK_API_ROOT: z.url({ protocol: /^https?$/ }).default("https://slack.com/api"),
  DISCORD_API_ROOT: z.url({ protocol: /^https?$/ }).default("https://discord.com/api/v10"),
  // The Graph API root with its version: Meta's current one (v26.0, July 2026) unless set.
  WHATSAPP_API_ROOT: z.url({ protocol: /^https?$/ }).default("https://graph.facebook.com/v26.0"),
});
export type GatewayConfig = {
  /** The first owner DRAWBRIDGE_OWNER names: the one the console speaks as. */
  owner: ChannelIdentity;
  /** Every owner, at most one per channel (DRAWBRIDGE_OWNER `telegram:123,slack:U0123`). */
  owners: ChannelIdentity[];
  defaultRunner: string;
  telegramApiRoot: string;
  slackApiRoot: string;
  discordApiRoot: string;
  whatsappApiRoot: string;
  /** Who may talk to the bot (DRAWBRIDGE_ACCESS): DM and group policies, roles, rate limits. */
  access: AccessConfig;
  /** The assistant's model (DRAWBRIDGE_MODEL, DRAWBRIDGE_MODEL_BASE_URL); null: none, commands only. Never the key. */
  model: ModelSetting | null;
};

/** The gateway config as the Worker parsed it, plus which channel account a Gatekeeper serves. */
export type EdgeSettings = GatewayConfig & { account: string };

/**
 * Parses the gateway's vars once per request. A bad value refuses service naming the key,
 * so a typo never turns into an open gateway.
 */
export function loadGatewayConfig(env: Env): GatewayConfig {
  const parsed = GatewayConfig.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "config");
    throw new GatewayError(
      503,
      "config_invalid",
      `${key} is invalid: ${issue?.message ?? "bad value"}. Set it under [vars] in wrangler.toml (or with \`wrangler dev --var ${key}:…\`).`,
    );
  }
  const access = parseAccessConfig(env.DRAWBRIDGE_ACCESS);
  if (!access.ok) {
    throw new GatewayError(503, "config_invalid", `${access.message}. Fix it under [vars] in wrangler.toml (see docs/access-control.md).`);
  }
  const { DRAWBRIDGE_OWNER, DEFAULT_RUNNER, TELEGRAM_API_ROOT, SLACK_API_ROOT, DISCORD_API_ROOT, WHATSAPP_API_ROOT } = parsed.data;
  return {
    owner: DRAWBRIDGE_OWNER[0] as ChannelIdentity,
    owners: DRAWBRIDGE_OWNER,
    defaultRunner: DEFAULT_RUNNER,
    telegramApiRoot: TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    slackApiRoot: SLACK_API_ROOT.replace(/\/+$/, ""),
    discordApiRoot: DISCORD_API_ROOT.replace(/\/+$/, ""),
    whatsappApiRoot: WHATSAPP_API_ROOT.replace(/\/+$/, ""),
    access: access.config,
    model: modelSettingOf(env),
  };
}

/** The owner on one channel, or null: each channel's owner is the one DRAWBRIDGE_OWNER names on it. */
export function ownerOn(config: Pick<GatewayConfig, "owners">, channel: ChannelName): ChannelIdentity | null {
  return config.owners.find((owner) => owner.channel === channel) ?? null;
}

/** Is this `<channel>:<id>` one of the configured owners? */
export function isOwnerKey(config: Pick<GatewayConfig, "owners">, senderKey: string): boolean {
  return config.owners.some((owner) => owner.key === senderKey);
}
