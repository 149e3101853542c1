import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type BotApiCall = { token: string; method: string; params: Record<string, unknown> };

/**
 * A Telegram outage for one bot, method and chat: the next `count` calls fail — `errorCode` 429 (with
 * `retryAfter` seconds) or 5xx as the Bot API answers them, or 0 for a dropped connection.
 */
export type Outage = { token: string; method: string; chatId: string; count: number; errorCode: number; retryAfter?: number };

/**
 * How the stand-in answers pollers: "unauthorized" answers every call 401 (a revoked token),
 * "conflict" answers getUpdates 409 as when another copy of the bot is polling.
 */
export type PollMode = "ok" | "unauthorized" | "conflict";

/** A queued update as getUpdates returns it. */
export type QueuedUpdate = { update_id: number; [field: string]: unknown };

type PendingPoll = { token: string; answer: () => void; conflict: () => void };

/**
 * A local HTTP server speaking the Bot API methods Drawbridge calls (Telegram itself is
 * unreachable here). Records every call so tests can assert what a user would see.
 */
export class BotApiStandIn {
  readonly calls: BotApiCall[] = [];
  /** Calls an outage failed: they reached the stand-in, and nothing was delivered. */
  readonly refused: BotApiCall[] = [];
  private outages: Outage[] = [];
  private server: Server | null = null;
  private nextMessageId = 1;
  private waiters: Array<() => void> = [];
  /** Telegram keeps updates until a getUpdates with a higher offset confirms them; the oldest first. */
  private queue: QueuedUpdate[] = [];
  private nextUpdateId = 700_000_001;
  private webhookUrl = "";
  private pollMode: PollMode = "ok";
  private pendingPolls: PendingPoll[] = [];

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.url ?? "");
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        // Worker tests run inside workerd and read what was sent over HTTP.
        if (request.method === "GET" && request.url === "/__standin/calls") {
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.calls));
          return;
        }
        if (request.method === "GET" && request.url === "/__standin/refused") {
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.refused));
          return;
        }
        if (request.method === "POST" && request.url === "/__standin/updates") {
          const updateId = this.enqueueUpdate(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ update_id: updateId }));
          return;
        }
        if (request.method === "POST" && request.url === "/__standin/mode") {
          this.setPollMode((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { mode: PollMode }).mode);
          response.writeHead(204).end();
          return;
        }
        if (request.method === "POST" && request.url === "/__standin/outage") {
          this.outages.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Outage);
          response.writeHead(204).end();
          return;
        }
        if (!match) {
          response
            .writeHead(404, { "content-type": "application/json" })
            .end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        const call: BotApiCall = { token: decodeURIComponent(match[1] ?? ""), method: match[2] ?? "", params };
        if (this.pollMode === "unauthorized") return this.refuse(call, response, 401, "Unauthorized");
        if (call.method === "getUpdates") return this.poll(call, response);
        const outage = this.outages.find(
          (o) => o.count > 0 && o.token === call.token && o.method === call.method && o.chatId === String(call.params.chat_id),
        );
        if (outage) {
          outage.count -= 1;
          this.refused.push(call);
          if (outage.errorCode === 0) return void response.socket?.destroy();
          const parameters = outage.retryAfter === undefined ? undefined : { retry_after: outage.retryAfter };
          const description =
            outage.errorCode === 429
              ? `Too Many Requests: retry after ${outage.retryAfter ?? 1}`
              : outage.errorCode === 403
                ? "Forbidden: bot was blocked by the user"
                : "Bad Gateway";
          response
            .writeHead(outage.errorCode, { "content-type": "application/json" })
            .end(JSON.stringify({ ok: false, error_code: outage.errorCode, description, parameters }));
          return;
        }
        this.calls.push(call);
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result: this.resultFor(call) }));
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    // A long poll would hold its connection open until its timeout: answer it (empty) first.
    for (const pending of this.pendingPolls.splice(0)) pending.answer();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  sent(method = "sendMessage"): BotApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves with the first call that matches, or rejects after `timeoutMs`. */
  async waitFor(predicate: (call: BotApiCall) => boolean, timeoutMs = 20_000): Promise<BotApiCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching Bot API call within ${timeoutMs}ms; saw ${JSON.stringify(this.calls)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Queues an update for getUpdates (as a user's message reaching Telegram does); returns its update_id. */
  enqueueUpdate(update: Record<string, unknown>): number {
    const updateId = typeof update.update_id === "number" ? update.update_id : this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, updateId + 1);
    this.queue.push({ ...update, update_id: updateId });
    for (const pending of this.pendingPolls.splice(0)) pending.answer();
    return updateId;
  }

  /** The update_ids Telegram still holds: not yet confirmed by a getUpdates offset. */
  unconfirmed(): number[] {
    return this.queue.map((update) => update.update_id);
  }

  setPollMode(mode: PollMode): void {
    this.pollMode = mode;
  }

  /** The webhook URL setWebhook set ("" for none), as getWebhookInfo reports it. */
  get webhook(): string {
    return this.webhookUrl;
  }

  /** Every call of `method` that reached the stand-in, answered or refused (to count how often a client asks). */
  attempts(method: string): number {
    return [...this.calls, ...this.refused].filter((call) => call.method === method).length;
  }

  private refuse(call: BotApiCall, response: ServerResponse, code: number, description: string): void {
    this.refused.push(call);
    response.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error_code: code, description }));
  }

  /**
   * getUpdates as Telegram answers it: `offset` confirms (drops) every update below it; the answer holds
   * up to `limit` (1–100, default 100) of the rest matching `allowed_updates`, oldest first; with none,
   * it waits up to `timeout` seconds for one. A webhook, or a newer poll for the same bot, means 409.
   */
  private poll(call: BotApiCall, response: ServerResponse): void {
    if (this.webhookUrl) {
      return this.refuse(
        call,
        response,
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    if (this.pollMode === "conflict") {
      return this.refuse(
        call,
        response,
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      );
    }
    const offset = Number(call.params.offset ?? 0);
    if (offset > 0) this.queue = this.queue.filter((update) => update.update_id >= offset);
    for (const other of this.pendingPolls.filter((pending) => pending.token === call.token)) other.conflict();
    this.calls.push(call);
    for (const wake of this.waiters.splice(0)) wake();
    const limit = Math.min(100, Math.max(1, Number(call.params.limit ?? 100)));
    const allowed = Array.isArray(call.params.allowed_updates) ? call.params.allowed_updates.map(String) : null;
    const ready = () =>
      this.queue.filter((update) => !allowed || allowed.length === 0 || allowed.some((kind) => kind in update)).slice(0, limit);
    let settled = false;
    const pending: PendingPoll = {
      token: call.token,
      answer: () =>
        settle(() => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result: ready() }))),
      conflict: () =>
        settle(() =>
          this.refuse(
            call,
            response,
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
          ),
        ),
    };
    const timer = setTimeout(pending.answer, Math.max(0, Number(call.params.timeout ?? 0)) * 1000);
    const settle = (answer: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.pendingPolls = this.pendingPolls.filter((other) => other !== pending);
      if (!response.writableEnded && !response.destroyed) answer();
    };
    // A poller that hangs up (killed, or stopping) is no longer waiting.
    response.on("close", () => settle(() => undefined));
    if (ready().length > 0 || Number(call.params.timeout ?? 0) <= 0) return pending.answer();
    this.pendingPolls.push(pending);
  }

  private resultFor(call: BotApiCall): unknown {
    switch (call.method) {
      case "getWebhookInfo":
        return { url: this.webhookUrl, has_custom_certificate: false, pending_update_count: this.queue.length };
      case "setWebhook":
        this.webhookUrl = typeof call.params.url === "string" ? call.params.url : "";
        return true;
      case "deleteWebhook":
        this.webhookUrl = "";
        if (call.params.drop_pending_updates === true) this.queue = [];
        return true;
      case "getMe":
        return { id: 4242, is_bot: true, first_name: "Drawbridge", username: "drawbridge_test_bot" };
      case "sendMessage":
        return {
          message_id: this.nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: call.params.chat_id, type: "private" },
          text: call.params.text,
        };
      case "editMessageText":
        return {
          message_id: call.params.message_id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: call.params.chat_id, type: "private" },
          text: call.params.text,
        };
      default:
        return true;
    }
  }
}
