import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type SlackApiCall = { token: string; method: string; params: Record<string, unknown> };

/**
 * Slack failing the next `count` calls of one method to one channel: `error` answers HTTP 200 with
 * `{ok:false, error}` as the Web API does (`ratelimited` with a Retry-After header), `status` 429
 * or 5xx answers that status, and `status` 0 drops the connection.
 */
export type SlackOutage = { method: string; channel: string; count: number; error?: string; status?: number; retryAfter?: number };

/**
 * A local HTTP server speaking the Web API methods Drawbridge calls (`chat.postMessage`,
 * `chat.update`, `chat.postEphemeral`) at `<root>/<method>`, JSON bodies with a bearer token
 * (Slack itself is unreachable here). Records every call that was taken, and separately every
 * call an outage refused, so tests can assert what a user would see.
 */
export class SlackApiStandIn {
  readonly calls: SlackApiCall[] = [];
  readonly refused: SlackApiCall[] = [];
  private outages: SlackOutage[] = [];
  private server: Server | null = null;
  private nextTs = 1;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
          response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
        if (request.method === "GET" && request.url === "/__standin/calls") return reply(200, this.calls);
        if (request.method === "GET" && request.url === "/__standin/refused") return reply(200, this.refused);
        if (request.method === "POST" && request.url === "/__standin/outage") {
          this.outages.push(JSON.parse(raw) as SlackOutage);
          return void response.writeHead(204).end();
        }
        const method = /^\/([a-zA-Z]+\.[a-zA-Z]+)$/.exec(request.url ?? "")?.[1];
        if (!method || request.method !== "POST") return reply(404, { ok: false, error: "unknown_method" });
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
        if (!token) return reply(200, { ok: false, error: "not_authed" });
        let params: Record<string, unknown>;
        try {
          params = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          return reply(200, { ok: false, error: "invalid_json" });
        }
        const call: SlackApiCall = { token, method, params };
        const outage = this.outages.find((o) => o.count > 0 && o.method === method && o.channel === String(params.channel));
        if (outage) {
          outage.count -= 1;
          this.refused.push(call);
          if (outage.status === 0) return void response.socket?.destroy();
          const headers: Record<string, string> = outage.retryAfter === undefined ? {} : { "retry-after": String(outage.retryAfter) };
          return reply(outage.status ?? 200, { ok: false, error: outage.error ?? "ratelimited" }, headers);
        }
        this.calls.push(call);
        return reply(200, this.answerFor(call));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answerFor(call: SlackApiCall): unknown {
    const ts = `${Math.floor(Date.now() / 1000)}.${String(this.nextTs++).padStart(6, "0")}`;
    switch (call.method) {
      case "chat.postMessage":
        // Posting to a user id lands in their DM with the app: Slack answers with the DM's own id (D…), which chat.update needs.
        return { ok: true, channel: dmChannelOf(String(call.params.channel)), ts, message: { text: call.params.text, ts } };
      case "chat.update":
        return { ok: true, channel: call.params.channel, ts: call.params.ts, text: call.params.text };
      case "chat.postEphemeral":
        return { ok: true, message_ts: ts };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

/** The DM conversation a user id stands for (the tests' dmOf: `U…` → `D…`); conversation ids are kept. */
function dmChannelOf(channel: string): string {
  return /^[UW][A-Z0-9]+$/.test(channel) ? `D${channel.slice(1)}` : channel;
}
