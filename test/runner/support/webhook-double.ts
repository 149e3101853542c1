import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the double does with one delivery: answer with `status`, or let the test act first. */
export type DeliveryHook = (updateId: number, attempt: number) => number | Promise<number>;

/**
 * A small local server that answers as the gateway's POST /telegram/webhook does: 401 without the
 * secret, 200 once the update is stored, a repeat of a seen update_id stored once (its dedupe).
 * `hook` decides the status per delivery (a 500 outage); `stored` is what a user would see, in order.
 */
export class WebhookDouble {
  readonly stored: number[] = [];
  readonly deliveries: number[] = [];
  hook: DeliveryHook = () => 200;
  private server: Server | null = null;

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request)
        .then(async (body) => {
          if (request.url !== "/telegram/webhook" || request.method !== "POST") return response.writeHead(404).end();
          if (request.headers["x-telegram-bot-api-secret-token"] !== this.secret) return response.writeHead(401).end();
          const updateId = (JSON.parse(body) as { update_id: number }).update_id;
          this.deliveries.push(updateId);
          const status = await this.hook(updateId, this.deliveries.filter((id) => id === updateId).length);
          if (status === 200 && !this.stored.includes(updateId)) this.stored.push(updateId);
          response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ ok: status === 200 }));
        })
        .catch(() => response.writeHead(400).end());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
