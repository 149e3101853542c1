import { z } from "zod";
import { parseAccessConfig, type AccessConfig } from "../shared/access/access-config.js";
import { ChannelIdentity } from "../shared/identity.js";
import { RunnerName } from "../shared/tunnel/protocol.js";
import { modelSettingOf, type ModelSetting } from "./assistant/model/model-setting.js";
import { GatewayError } from "./http/gateway-error.js";

const GatewayConfig = z.object({
  DRAWBRIDGE_OWNER: ChannelIdentity,
  DEFAULT_RUNNER: RunnerName,
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }),
});
export type GatewayConfig = {
  owner: ChannelIdentity;
  defaultRunner: string;
  telegramApiRoot: string;
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
  const { DRAWBRIDGE_OWNER, DEFAULT_RUNNER, TELEGRAM_API_ROOT } = parsed.data;
  return {
    owner: DRAWBRIDGE_OWNER,
    defaultRunner: DEFAULT_RUNNER,
    telegramApiRoot: TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    access: access.config,
    model: modelSettingOf(env),
  };
}
