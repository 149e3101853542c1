import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type BotApiCall = { token: string; method: string; params: Record<string, unknown> };

/**
 * A Telegram outage for one bot, method and chat: the next `count` calls fail — `errorCode` 429 (with
 * `retryAfter` seconds) or 5xx as the Bot API answers them, or 0 for a dropped connection.
 */
export type Outage = { token: string; method: string; chatId: string; count: number; errorCode: number; retryAfter?: number };

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

  private resultFor(call: BotApiCall): unknown {
    switch (call.method) {
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
