import { join } from "node:path";
import { AuditLog } from "../../audit/audit-log.js";
import { BotApiClient } from "./bot-api-client.js";
import { withoutToken } from "./poll-lines.js";
import { PollRelay } from "./poll-relay.js";

/** Local bot tokens `ensureLocalSecrets` makes up when none is given: not a bot Telegram knows. */
const PLACEHOLDER_TOKEN = /^0:local-/;

export class TelegramPollError extends Error {
  override readonly name = "TelegramPollError";
}

/** Whether `npm start` should poll Telegram: DRAWBRIDGE_TELEGRAM_POLL=1. */
export function telegramPollWanted(env: NodeJS.ProcessEnv): boolean {
  return env.DRAWBRIDGE_TELEGRAM_POLL?.trim() === "1";
}

/** Refuses, before anything starts, to poll with the made-up local token instead of a real one. */
export function checkPollToken(token: string): void {
  if (!token || PLACEHOLDER_TOKEN.test(token)) {
    throw new TelegramPollError(
      "DRAWBRIDGE_TELEGRAM_POLL=1 needs your bot's token: set TELEGRAM_BOT_TOKEN (from @BotFather), or unset DRAWBRIDGE_TELEGRAM_POLL",
    );
  }
}

/**
 * The poll relay for the local stack (runner-side only; the deployed Worker gets its updates by
 * webhook). It polls the Bot API root the gateway replies through, so both talk to one Telegram
 * (or one stand-in), and records a webhook it deletes in the state dir's audit log.
 */
export function startTelegramPoll(options: {
  env: NodeJS.ProcessEnv;
  secrets: { TELEGRAM_BOT_TOKEN: string; TELEGRAM_WEBHOOK_SECRET: string; TELEGRAM_API_ROOT: string };
  gatewayUrl: string;
  gatewayReady?: Promise<void>;
  stateDir: string;
  say: (line: string) => void;
}): PollRelay {
  const { secrets } = options;
  checkPollToken(secrets.TELEGRAM_BOT_TOKEN);
  return new PollRelay({
    client: new BotApiClient(secrets.TELEGRAM_API_ROOT, secrets.TELEGRAM_BOT_TOKEN),
    gatewayUrl: options.gatewayUrl,
    gatewayReady: options.gatewayReady,
    webhookSecret: secrets.TELEGRAM_WEBHOOK_SECRET,
    say: (line) => options.say(withoutToken(line, secrets.TELEGRAM_BOT_TOKEN)),
    deleteWebhook: options.env.DRAWBRIDGE_TELEGRAM_POLL_DELETE_WEBHOOK?.trim() === "1",
    audit: async (event) => {
      const log = await AuditLog.open(join(options.stateDir, "audit.jsonl"));
      await log.record(event);
      await log.close();
    },
  });
}

/** The start-up summary's Telegram line, from what the relay has reached by then. */
export function pollSummaryLine(relay: PollRelay): string {
  const bot = relay.bot;
  if (!bot) return "Telegram: not polling yet — waiting for the Bot API (see the line above), with backoff.";
  return `Telegram: polling getUpdates for ${bot.username ? `@${bot.username}` : `bot ${bot.id}`} (no public URL needed)`;
}
