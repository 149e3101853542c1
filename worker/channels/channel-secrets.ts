/**
 * The secrets each webhook channel needs, in one place: the channel's switch reads them (none set:
 * off, 404; some: 503 naming the rest) and so does every view that says which channels are on.
 */
export const CHANNEL_SECRETS = {
  telegram: ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"],
  slack: ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"],
  discord: ["DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID", "DISCORD_BOT_TOKEN"],
  whatsapp: ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"],
} as const;
