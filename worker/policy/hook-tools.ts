import { PROFILES, type Profile } from "../../shared/policy/tool-policy-config.js";
import type { GatewayConfig } from "../config.js";

/**
 * The settings a hook's turn is judged under: the gateway's tool policy with its profile
 * narrowed to the hook's own (`minimal` by default: no tool at all). Narrowing only — a hook set
 * to `full` under a `coding` gateway gets `coding` — and both the tools offered to the model and
 * every call it makes read these settings, so what is not offered is also refused.
 */
export function hookToolSettings<T extends GatewayConfig>(settings: T, hook: { tools: Profile } | undefined): T {
  if (hook === undefined) return settings;
  const tools = settings.access.tools;
  const profile = PROFILES[Math.min(PROFILES.indexOf(tools.profile), PROFILES.indexOf(hook.tools))] ?? "minimal";
  return { ...settings, access: { ...settings.access, tools: { ...tools, profile } } };
}
