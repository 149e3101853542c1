// Secrets are not in wrangler.toml, so `wrangler types` cannot see them. Each is optional on
// purpose: a gateway missing one refuses to serve (503) instead of running open.
declare namespace Cloudflare {
  interface Env {
    TELEGRAM_BOT_TOKEN?: string;
    TELEGRAM_WEBHOOK_SECRET?: string;
    GATEWAY_TOKEN?: string;
    GATEWAY_SIGNING_KEY?: string;
  }
}
