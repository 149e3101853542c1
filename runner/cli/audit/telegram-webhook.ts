import { z } from "zod";
import type { AuditFinding } from "../../../shared/audit-report.js";

/** getWebhookInfo's answer (core.telegram.org/bots/api#webhookinfo); other fields are passed over. */
const WebhookInfoAnswer = z.union([
  z.object({
    ok: z.literal(true),
    result: z.object({
      url: z.string(),
      has_custom_certificate: z.boolean(),
      pending_update_count: z.number().int(),
      last_error_date: z.number().int().optional(),
      last_error_message: z.string().optional(),
    }),
  }),
  z.object({ ok: z.literal(false), error_code: z.number().int().optional(), description: z.string().optional() }),
]);

/** Telegram's error about our webhook is recent when it happened within this long. */
const RECENT_ERROR_SECONDS = 24 * 60 * 60;
/** Updates waiting beyond this many mean deliveries are failing or the gateway is not keeping up. */
const PENDING_LIMIT = 100;

/** `polling`: `npm start` relays updates by getUpdates (DRAWBRIDGE_TELEGRAM_POLL=1), so no webhook is wanted. */
export type TelegramTarget = { apiRoot: string; botToken: string; gatewayUrl: string; polling?: boolean; now?: number };

/** The placeholder `npm start` writes when no real bot token is set: the local stack serves the console only. */
export function isPlaceholderBotToken(token: string): boolean {
  return /^0:local-/.test(token);
}

/**
 * telegram.webhook: asks the Bot API (TELEGRAM_API_ROOT) where the bot's updates go. Wanted: our
 * `<gateway>/telegram/webhook`, no recent delivery error, no backlog. The Bot API never returns the
 * webhook's secret_token; a missing or wrong one shows as Telegram's "401 Unauthorized" delivery
 * error, since the gateway refuses an update without it. The bot token is never shown.
 */
export async function checkTelegramWebhook(target: TelegramTarget): Promise<AuditFinding[]> {
  const expected = `${target.gatewayUrl.replace(/\/+$/, "")}/telegram/webhook`;
  const finding = (detail: string, fix: string): AuditFinding[] => [
    { id: "telegram.webhook", severity: "warn", title: "Telegram's webhook is not delivering to this gateway", detail, fix },
  ];
  const setWebhook = `curl -F url=${expected} -F secret_token="$TELEGRAM_WEBHOOK_SECRET" https://api.telegram.org/bot<token>/setWebhook (docs/deploy.md)`;
  let body: unknown;
  try {
    const response = await fetch(`${target.apiRoot.replace(/\/+$/, "")}/bot${target.botToken}/getWebhookInfo`, {
      signal: AbortSignal.timeout(10_000),
    });
    body = await response.json();
  } catch (error) {
    // The request URL holds the bot token: only the kind of failure is said.
    const why = error instanceof Error && error.name === "TimeoutError" ? "it did not answer within 10 s" : "the request failed";
    return finding(
      `getWebhookInfo at ${target.apiRoot} could not be read: ${why}.`,
      "Check TELEGRAM_API_ROOT and this box's network, then run the audit again.",
    );
  }
  const answer = WebhookInfoAnswer.safeParse(body);
  if (!answer.success)
    return finding(
      `getWebhookInfo at ${target.apiRoot} answered something that is not the Bot API's WebhookInfo.`,
      "Check TELEGRAM_API_ROOT.",
    );
  if (!answer.data.ok) {
    return finding(
      `the Bot API refused getWebhookInfo (${answer.data.error_code ?? "?"} ${answer.data.description ?? ""}`.trimEnd() +
        "): the bot token is wrong or revoked.",
      "Set TELEGRAM_BOT_TOKEN to the token @BotFather gave you (`wrangler secret put TELEGRAM_BOT_TOKEN`).",
    );
  }
  const info = answer.data.result;
  const problems: string[] = [];
  if (target.polling) {
    if (info.url !== "")
      problems.push(
        `a webhook is set (${safeUrl(info.url)}) while npm start polls (DRAWBRIDGE_TELEGRAM_POLL=1): Telegram refuses the polls`,
      );
  } else if (info.url === "") problems.push("no webhook is set, so Telegram delivers nothing");
  else if (info.url !== expected) problems.push(`the webhook points at ${safeUrl(info.url)}, not ${expected}`);
  const now = target.now ?? Math.floor(Date.now() / 1000);
  if (info.last_error_message && (info.last_error_date === undefined || now - info.last_error_date < RECENT_ERROR_SECONDS)) {
    const unauthorized = /401/.test(info.last_error_message)
      ? " (401: the webhook's secret_token does not match TELEGRAM_WEBHOOK_SECRET)"
      : "";
    problems.push(`Telegram's last delivery failed: "${info.last_error_message.slice(0, 200)}"${unauthorized}`);
  }
  if (info.pending_update_count > PENDING_LIMIT) problems.push(`${info.pending_update_count} updates are waiting for delivery`);
  if (problems.length === 0) return [];
  return finding(`${problems.join("; ")}.`, `Point the webhook here with its secret: ${setWebhook}.`);
}

/** A URL without its query and credentials, which may carry someone's token. */
function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "an unparsable URL";
  }
}
