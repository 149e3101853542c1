// Secrets are not in wrangler.toml, so `wrangler types` cannot see them. Each is optional on
// purpose: a gateway missing one refuses to serve (503) instead of running open.
declare namespace Cloudflare {
  interface Env {
    TELEGRAM_BOT_TOKEN?: string;
    TELEGRAM_WEBHOOK_SECRET?: string;
    GATEWAY_TOKEN?: string;
    GATEWAY_SIGNING_KEY?: string;
    /** Sent to the model endpoint (openai:, anthropic:) and nowhere else. */
    DRAWBRIDGE_MODEL_API_KEY?: string;
    // Not a secret, but like one invisible to `wrangler types` until wrangler.toml binds it, and binding
    // it needs a Cloudflare account (tests have none): the Workers AI binding, off when unbound.
    AI?: Ai;
  }
}
