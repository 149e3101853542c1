import { z } from "zod";

/** The update types the gateway reads (worker/channels/telegram/update.ts): messages and button presses. */
export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

/** What goes wrong talking to the Bot API, in the words the relay answers with. */
export type BotApiFailure = "unauthorized" | "conflict" | "network" | "refused";

/** A Bot API call that did not work. The message names the method and Telegram's words, never the token. */
export class BotApiError extends Error {
  override readonly name = "BotApiError";
  constructor(
    readonly kind: BotApiFailure,
    readonly method: string,
    message: string,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Telegram adds fields freely: only what the relay reads is checked, and an update is passed on whole.
const Answer = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});
export const PolledUpdate = z.looseObject({ update_id: z.number().int().nonnegative() });
export type PolledUpdate = z.infer<typeof PolledUpdate>;
const Me = z.looseObject({ id: z.number().int(), username: z.string().optional() });
export type BotIdentity = z.infer<typeof Me>;
const WebhookInfo = z.looseObject({ url: z.string(), pending_update_count: z.number().int().optional() });
export type WebhookInfo = z.infer<typeof WebhookInfo>;

export type GetUpdatesParams = { offset?: number; timeout: number; limit?: number; allowed_updates: readonly string[] };

/**
 * The four Bot API methods polling needs, against `apiRoot` (the same root the gateway sends its
 * replies through). The token is only ever part of the request URL, which no message repeats.
 */
export class BotApiClient {
  private readonly root: string;

  constructor(
    apiRoot: string,
    private readonly token: string,
  ) {
    this.root = apiRoot.replace(/\/+$/, "");
  }

  /** Where the calls go, for lines the user reads (host only). */
  get host(): string {
    return new URL(this.root).host;
  }

  async getMe(signal: AbortSignal): Promise<BotIdentity> {
    return Me.parse(await this.call("getMe", {}, signal, 15_000));
  }

  async getWebhookInfo(signal: AbortSignal): Promise<WebhookInfo> {
    return WebhookInfo.parse(await this.call("getWebhookInfo", {}, signal, 15_000));
  }

  /** Deletes the webhook and keeps the updates Telegram holds (they are polled next). */
  async deleteWebhook(signal: AbortSignal): Promise<void> {
    await this.call("deleteWebhook", { drop_pending_updates: false }, signal, 15_000);
  }

  /** A long poll: Telegram answers when an update arrives or after `timeout` seconds with none. */
  async getUpdates(params: GetUpdatesParams, signal: AbortSignal): Promise<PolledUpdate[]> {
    const result = await this.call("getUpdates", params, signal, (params.timeout + 15) * 1000);
    return z.array(PolledUpdate).parse(result);
  }

  private async call(method: string, params: object, signal: AbortSignal, timeoutMs: number): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.root}/bot${this.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (error) {
      throw new BotApiError("network", method, `could not reach ${this.host} (${networkReason(error)})`, null, { cause: error });
    }
    const parsed = Answer.safeParse(await response.json().catch(() => null));
    if (parsed.success && parsed.data.ok) return parsed.data.result;
    const code = parsed.success ? (parsed.data.error_code ?? response.status) : response.status;
    const description = (parsed.success ? parsed.data.description : undefined) ?? `HTTP ${response.status}`;
    const retryAfter = parsed.success ? parsed.data.parameters?.retry_after : undefined;
    const kind: BotApiFailure = code === 401 ? "unauthorized" : code === 409 ? "conflict" : "refused";
    throw new BotApiError(kind, method, `${code} ${description}`, retryAfter === undefined ? null : retryAfter * 1000);
  }
}

/** The OS's word for a failed connection (ECONNREFUSED, ENOTFOUND, a timeout): no URL, so no token. */
export function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "no answer in time";
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause && typeof cause === "object" && "code" in cause && typeof cause.code === "string") return cause.code;
  return "network error";
}
