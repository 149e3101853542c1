import { aborted, Backoff, DEFAULT_BACKOFF, pause, type BackoffSettings } from "./backoff.js";
import { ALLOWED_UPDATES, BotApiError, type BotApiClient, type BotIdentity, type PolledUpdate } from "./bot-api-client.js";
import { deliverToGateway } from "./gateway-delivery.js";
import { failureLine, gatewayFailureLine, webhookDeletedLine, webhookSetLine } from "./poll-lines.js";

export type PollRelayOptions = {
  client: BotApiClient;
  /** The local gateway, e.g. http://127.0.0.1:8787; updates go to its POST /telegram/webhook. */
  gatewayUrl: string;
  webhookSecret: string;
  /** One line for the user (already free of the token). */
  say: (line: string) => void;
  /** DRAWBRIDGE_TELEGRAM_POLL_DELETE_WEBHOOK=1: delete a webhook that is set instead of refusing. */
  deleteWebhook: boolean;
  /** Records the webhook deletion (one audit line). */
  audit: (event: { event: string; [field: string]: unknown }) => Promise<void>;
  /** getUpdates' long-poll `timeout` in seconds (default 30). */
  timeoutSeconds?: number;
  backoff?: BackoffSettings;
  /** Polling waits for this (the gateway coming up), so no update is taken before it can be handed over. */
  gatewayReady?: Promise<void>;
};

/** How a relay ended: stopped by its owner, or refused to poll (the line says why). */
export type RelayEnd = { kind: "stopped" } | { kind: "refused"; line: string };

/**
 * Telegram → local gateway without a public URL: checks the bot (getMe) and that no webhook is set,
 * then long-polls getUpdates and posts each update, in order, to the gateway's webhook route. The
 * offset moves past an update only after the gateway answered 200 for it, and Telegram drops an
 * update only when a later getUpdates confirms that offset — so a relay that dies loses nothing and
 * repeats at most the unconfirmed updates, which the gateway's dedupe by update_id absorbs.
 */
export class PollRelay {
  /** Resolves with the bot once the checks passed (no webhook, or deleted); never, if it refuses or stops first. */
  readonly polling: Promise<BotIdentity>;
  /** Resolves at the relay's first answer: the checks passed, it refused, or a first failure line (then it keeps retrying). */
  readonly firstAnswer: Promise<void>;
  readonly ended: Promise<RelayEnd>;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private lastProblem: string | null = null;
  private markPolling: (bot: BotIdentity) => void = () => undefined;
  private markTrouble: () => void = () => undefined;
  private pollingAs: BotIdentity | null = null;
  private end: RelayEnd | null = null;

  constructor(private readonly options: PollRelayOptions) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.polling = new Promise((resolve) => (this.markPolling = resolve));
    const trouble = new Promise<void>((resolve) => (this.markTrouble = resolve));
    this.ended = this.run()
      .then((end) => (this.end = end))
      .catch((error: unknown) => {
        // Only a bug gets here (every Bot API and gateway failure is retried): say so in one line.
        const line = `Telegram: the poll relay stopped: ${error instanceof Error ? error.message : String(error)}`;
        this.options.say(line);
        return (this.end = { kind: "refused", line });
      });
    this.firstAnswer = Promise.race([this.polling.then(() => undefined), this.ended.then(() => undefined), trouble]);
  }

  /** Stops polling; an update being delivered stays unconfirmed and comes again next time. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.ended;
  }

  /** How the relay ended, once it has (null while it runs). */
  get endedWith(): RelayEnd | null {
    return this.end;
  }

  /** The bot being polled for, once the checks passed (null before, or when it refused). */
  get bot(): BotIdentity | null {
    return this.pollingAs;
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<RelayEnd> {
    const { client } = this.options;
    const bot = await this.retrying(() => client.getMe(this.signal));
    const webhook = bot && (await this.retrying(() => client.getWebhookInfo(this.signal)));
    if (!bot || !webhook) return { kind: "stopped" };
    if (webhook.url) {
      if (!this.options.deleteWebhook) {
        const line = webhookSetLine(webhook.url);
        this.options.say(line);
        return { kind: "refused", line };
      }
      if (!(await this.retrying(() => client.deleteWebhook(this.signal).then(() => true)))) return { kind: "stopped" };
      await this.options.audit({ event: "telegram.webhook_deleted", url: webhook.url, dropPendingUpdates: false });
      this.options.say(webhookDeletedLine(webhook.url));
    }
    this.pollingAs = bot;
    this.markPolling(bot);
    if (this.options.gatewayReady) await Promise.race([this.options.gatewayReady, aborted(this.signal)]);
    let offset: number | undefined;
    for (;;) {
      const params = { offset, timeout: this.options.timeoutSeconds ?? 30, allowed_updates: ALLOWED_UPDATES };
      const updates = await this.retrying(() => client.getUpdates(params, this.signal));
      if (!updates) return { kind: "stopped" };
      for (const update of [...updates].sort((a, b) => a.update_id - b.update_id)) {
        if (offset !== undefined && update.update_id < offset) continue;
        if (!(await this.deliver(update))) return { kind: "stopped" };
        offset = update.update_id + 1;
      }
    }
  }

  /** Posts one update until the gateway answers 200; false when the relay stops first. */
  private async deliver(update: PolledUpdate): Promise<boolean> {
    const backoff = new Backoff(this.options.backoff ?? DEFAULT_BACKOFF);
    let failing: string | null = null;
    while (!this.signal.aborted) {
      const outcome = await deliverToGateway(this.options.gatewayUrl, this.options.webhookSecret, update, this.signal);
      if (this.signal.aborted) return false;
      if (outcome.accepted) {
        if (failing) this.options.say(`Telegram: the gateway took update ${update.update_id}; relaying again.`);
        return true;
      }
      if (outcome.problem !== failing) this.options.say(gatewayFailureLine(update.update_id, outcome.problem));
      failing = outcome.problem;
      await pause(backoff.next(), this.signal);
    }
    return false;
  }

  /** Runs one Bot API call until it works: one line per new kind of failure, then backoff. Null when stopped. */
  private async retrying<T>(call: () => Promise<T>): Promise<T | null> {
    while (!this.signal.aborted) {
      try {
        const result = await call();
        this.backoff.reset();
        if (this.lastProblem) this.options.say("Telegram: the Bot API answers again; polling.");
        this.lastProblem = null;
        return result;
      } catch (error) {
        if (this.signal.aborted) return null;
        if (!(error instanceof BotApiError)) throw error;
        const line = failureLine(error);
        if (line !== this.lastProblem) this.options.say(line);
        this.markTrouble();
        this.lastProblem = line;
        await pause(Math.max(error.retryAfterMs ?? 0, this.backoff.next()), this.signal);
      }
    }
    return null;
  }
}
