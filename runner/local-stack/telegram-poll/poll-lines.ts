import type { BotApiError } from "./bot-api-client.js";

/** The one line the user reads when a Bot API call fails; the relay then backs off and tries again. */
export function failureLine(error: BotApiError): string {
  switch (error.kind) {
    case "unauthorized":
      return "Telegram: the bot token was refused (401 Unauthorized) — check TELEGRAM_BOT_TOKEN (from @BotFather); retrying with backoff.";
    case "conflict":
      return `Telegram: ${error.method} answered ${error.message} — another copy of this bot is polling, or a webhook was set; retrying with backoff.`;
    case "network":
      return `Telegram: ${error.message}; retrying with backoff.`;
    case "refused":
      return `Telegram: ${error.method} failed (${error.message}); retrying with backoff.`;
  }
}

/** Why the relay will not poll while a webhook is set, and the two ways on. */
export function webhookSetLine(url: string): string {
  return (
    `Telegram: the bot has a webhook set (${url}); polling beside it would lose updates, so it does not poll. ` +
    "To poll here instead, start with DRAWBRIDGE_TELEGRAM_POLL_DELETE_WEBHOOK=1 (deletes it, keeps pending updates); " +
    "to keep the webhook, unset DRAWBRIDGE_TELEGRAM_POLL."
  );
}

export function webhookDeletedLine(url: string): string {
  return `Telegram: deleted the webhook ${url} (DRAWBRIDGE_TELEGRAM_POLL_DELETE_WEBHOOK=1; pending updates kept for polling).`;
}

export function gatewayFailureLine(updateId: number, problem: string): string {
  return `Telegram: ${problem} for update ${updateId}; retrying the same update with backoff (never skipped).`;
}

/** Any line the relay prints, with the token cut out should Telegram ever echo it. */
export function withoutToken(line: string, token: string): string {
  return token ? line.split(token).join("[REDACTED]") : line;
}
