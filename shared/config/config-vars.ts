import type { DrawbridgeConfig } from "./drawbridge-config.js";

/** The Worker vars the config file sets, in the order `drawbridge deploy` passes them. Never a secret. */
export const CONFIG_VAR_NAMES = [
  "DRAWBRIDGE_OWNER",
  "DRAWBRIDGE_ACCESS",
  "DRAWBRIDGE_MODEL",
  "DRAWBRIDGE_MODEL_BASE_URL",
  "DRAWBRIDGE_HOOKS",
  "DEFAULT_RUNNER",
  "TELEGRAM_API_ROOT",
  "SLACK_API_ROOT",
] as const;
export type ConfigVarName = (typeof CONFIG_VAR_NAMES)[number];
export type ConfigVars = Partial<Record<ConfigVarName, string>>;

/**
 * The Worker vars for a checked config file: only the keys it sets, so an omitted key leaves the
 * Worker's own default (wrangler.toml's [vars]). `access` and `hooks` go as written (the Worker
 * fills in their defaults itself, as it would for the same JSON set by hand).
 */
export function configVarsOf(config: DrawbridgeConfig, written: { access?: unknown; hooks?: unknown }): ConfigVars {
  const vars: ConfigVars = {};
  if (config.owners) vars.DRAWBRIDGE_OWNER = config.owners.map((owner) => owner.key).join(",");
  if (written.access !== undefined) vars.DRAWBRIDGE_ACCESS = JSON.stringify(written.access);
  if (config.model) {
    vars.DRAWBRIDGE_MODEL = config.model.id;
    if (config.model.baseUrl) vars.DRAWBRIDGE_MODEL_BASE_URL = config.model.baseUrl;
  }
  if (written.hooks !== undefined) vars.DRAWBRIDGE_HOOKS = JSON.stringify(written.hooks);
  if (config.defaultRunner) vars.DEFAULT_RUNNER = config.defaultRunner;
  if (config.telegram?.apiRoot) vars.TELEGRAM_API_ROOT = config.telegram.apiRoot.replace(/\/+$/, "");
  if (config.slack?.apiRoot) vars.SLACK_API_ROOT = config.slack.apiRoot.replace(/\/+$/, "");
  return vars;
}

/** Precedence: a non-empty environment variable wins over the file, which wins over the defaults. */
export function withEnvOverrides(fromFile: ConfigVars, env: Readonly<Record<string, string | undefined>>): ConfigVars {
  const vars: ConfigVars = { ...fromFile };
  for (const name of CONFIG_VAR_NAMES) {
    const value = env[name]?.trim();
    if (value) vars[name] = value;
  }
  return vars;
}
