import { HooksConfig } from "../../shared/hooks/hook-config.js";
import { ChannelIdentity } from "../../shared/identity.js";
import { GatewayError } from "../http/gateway-error.js";

/**
 * The configured hooks (`DRAWBRIDGE_HOOKS`, JSON; empty means none). A bad value refuses every
 * hook naming the key, like any other configuration mistake: a typo never opens a hook.
 */
export function loadHooks(env: Env): HooksConfig {
  const raw = env.DRAWBRIDGE_HOOKS?.trim() ?? "";
  if (raw === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new GatewayError(
      503,
      "config_invalid",
      "DRAWBRIDGE_HOOKS is not JSON. Fix it under [vars] in wrangler.toml (see docs/hooks.md).",
      {
        cause: error,
      },
    );
  }
  const parsed = HooksConfig.safeParse(json);
  const bad = parsed.success
    ? Object.entries(parsed.data).find(([, hook]) => hook.chat !== undefined && !isHookChat(hook.chat))
    : undefined;
  if (parsed.success && bad === undefined) return parsed.data;
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  const where = bad ? `${bad[0]}.chat` : (issue?.path.join(".") ?? "");
  const why = bad ? 'expected a Telegram chat, "telegram:<numeric id>", e.g. "telegram:-1001234567890"' : (issue?.message ?? "invalid");
  throw new GatewayError(
    503,
    "config_invalid",
    `DRAWBRIDGE_HOOKS${where ? `.${where}` : ""} is invalid: ${why}. Fix it under [vars] in wrangler.toml (see docs/hooks.md).`,
  );
}

/** A hook answers in a Telegram chat (or the console); a Slack reply would need its workspace, which the config does not name. */
function isHookChat(chat: string): boolean {
  const parsed = ChannelIdentity.safeParse(chat);
  return parsed.success && (parsed.data.channel === "telegram" || parsed.data.channel === "console");
}
