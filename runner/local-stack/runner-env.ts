/**
 * The secrets only the gateway (the edge) uses: bot and channel tokens, webhook and hook secrets,
 * the signing key, the model's API key, the admin token. The runner dials out with its own key and
 * needs none of them, so none may reach it — or, through it, a sandbox or a log line at home.
 */
const EDGE_ONLY =
  /^(TELEGRAM_BOT_TOKEN|TELEGRAM_WEBHOOK_SECRET|GATEWAY_TOKEN|GATEWAY_SIGNING_KEY|DRAWBRIDGE_MODEL_API_KEY|SLACK_SIGNING_SECRET|SLACK_BOT_TOKEN|DISCORD_BOT_TOKEN|DISCORD_PUBLIC_KEY|WHATSAPP_APP_SECRET|WHATSAPP_ACCESS_TOKEN|WHATSAPP_VERIFY_TOKEN|CF_ACCESS_AUD|HOOK_[A-Z0-9_]+_SECRET)$/;

/** `npm start`'s environment as the runner it spawns gets it: everything but the edge's secrets. */
export function runnerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !EDGE_ONLY.test(name)));
}
