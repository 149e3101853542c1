// Secrets are not in wrangler.toml, so `wrangler types` cannot see them. Each is optional on
// purpose: a gateway missing one refuses to serve (503) instead of running open.
declare namespace Cloudflare {
  interface Env {
    TELEGRAM_BOT_TOKEN?: string;
    TELEGRAM_WEBHOOK_SECRET?: string;
    GATEWAY_TOKEN?: string;
    GATEWAY_SIGNING_KEY?: string;
    /** Slack (docs/channels.md): both set turns the channel on; one alone closes it (503). */
    SLACK_SIGNING_SECRET?: string;
    SLACK_BOT_TOKEN?: string;
    /** Not a secret: the Web API root (default https://slack.com/api; a local stand-in in tests). */
    SLACK_API_ROOT?: string;
    /** Discord (docs/channels.md): all three set turns the channel on; some alone close it (503). The key and id are not secret, the token is. */
    DISCORD_PUBLIC_KEY?: string;
    DISCORD_APPLICATION_ID?: string;
    DISCORD_BOT_TOKEN?: string;
    /** Not a secret: the REST API root (default https://discord.com/api/v10; a local stand-in in tests). */
    DISCORD_API_ROOT?: string;
    /** WhatsApp Cloud API (docs/channels.md): all four set turns the channel on; some alone close it (503). The phone number id is not secret. */
    WHATSAPP_APP_SECRET?: string;
    WHATSAPP_VERIFY_TOKEN?: string;
    WHATSAPP_ACCESS_TOKEN?: string;
    WHATSAPP_PHONE_NUMBER_ID?: string;
    /** Not a secret: the Graph API root with its version (default https://graph.facebook.com/v26.0; a local stand-in in tests). */
    WHATSAPP_API_ROOT?: string;
    /** Cloudflare Access (docs/control-ui.md): both set → a valid Cf-Access-Jwt-Assertion also lets the owner in. Not secrets. */
    CF_ACCESS_TEAM_DOMAIN?: string;
    CF_ACCESS_AUD?: string;
    /** Tests only: where the Access keys are fetched from instead of https://<team domain>/cdn-cgi/access/certs. */
    CF_ACCESS_CERTS_URL?: string;
    /** Sent to the model endpoint (openai:, anthropic:) and nowhere else. */
    DRAWBRIDGE_MODEL_API_KEY?: string;
    /** Each configured hook's secret (worker/hooks/): `HOOK_<NAME>_SECRET`, name upper-cased, `-` → `_`. */
    [hookSecret: `HOOK_${string}_SECRET`]: string | undefined;
    // Not a secret, but like one invisible to `wrangler types` until wrangler.toml binds it, and binding
    // it needs a Cloudflare account (tests have none): the Workers AI binding, off when unbound.
    AI?: Ai;
  }
}
