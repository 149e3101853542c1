import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One send to the messages endpoint, as the stand-in took it. */
export type GraphCall = { token: string; phoneNumberId: string; version: string; body: Record<string, unknown> };

/**
 * The Cloud API refusing the next `count` sends to one wa_id with Meta's error `code` (131047
 * outside the 24-hour window, 130429 throughput, 131056 pair rate, …) and HTTP `status` (400 by
 * default, as Meta answers most errors); `status` 0 drops the connection.
 */
export type GraphOutage = { to: string; count: number; code: number; status?: number };

const TITLES: Record<number, string> = {
  130429: "Rate limit hit",
  131047: "Re-engagement message",
  131056: "(Business Account, Consumer Account) pair rate limit hit",
  131026: "Message undeliverable",
  100: "Invalid parameter",
};

/**
 * A local HTTP server speaking the Cloud API's `POST /<version>/<phone number id>/messages` with
 * a bearer token (Meta is unreachable here): it checks each message against the limits WhatsApp
 * enforces (text body ≤ 4,096, interactive reply buttons: ≤ 3, titles ≤ 20, ids ≤ 256, body
 * ≤ 1,024) and answers `{messaging_product, contacts, messages:[{id}]}` or Meta's error object.
 * Records what it took, and separately what an outage refused.
 */
export class GraphApiStandIn {
  readonly calls: GraphCall[] = [];
  readonly refused: GraphCall[] = [];
  private outages: GraphOutage[] = [];
  private server: Server | null = null;
  private next = 1;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const reply = (status: number, body: unknown) =>
          response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        if (request.method === "GET" && request.url === "/__standin/calls") return reply(200, this.calls);
        if (request.method === "GET" && request.url === "/__standin/refused") return reply(200, this.refused);
        if (request.method === "POST" && request.url === "/__standin/outage") {
          this.outages.push(JSON.parse(raw) as GraphOutage);
          return void response.writeHead(204).end();
        }
        const path = /^\/(v\d+\.\d+)\/(\d+)\/messages$/.exec(request.url ?? "");
        if (!path || request.method !== "POST") return reply(400, graphError(100, "Unsupported request"));
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
        if (!token) return reply(401, { error: { message: "An active access token must be used", type: "OAuthException", code: 2500 } });
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          return reply(400, graphError(100, "Invalid JSON"));
        }
        const problem = shapeProblem(body);
        if (problem) return reply(400, graphError(100, problem));
        const call: GraphCall = { token, version: path[1] ?? "", phoneNumberId: path[2] ?? "", body };
        const outage = this.outages.find((o) => o.count > 0 && o.to === body.to);
        if (outage) {
          outage.count -= 1;
          this.refused.push(call);
          if (outage.status === 0) return void response.socket?.destroy();
          return reply(outage.status ?? 400, graphError(outage.code, TITLES[outage.code] ?? "Error"));
        }
        this.calls.push(call);
        const id = `wamid.STANDIN${String(this.next++).padStart(8, "0")}`;
        return reply(200, { messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id }] });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function graphError(code: number, title: string): unknown {
  return {
    error: {
      message: `(#${code}) ${title}`,
      type: "OAuthException",
      code,
      error_data: { messaging_product: "whatsapp", details: title },
      fbtrace_id: "AStandInTrace",
    },
  };
}

/** What WhatsApp itself would refuse in a message body, or null. */
function shapeProblem(body: Record<string, unknown>): string | null {
  if (body.messaging_product !== "whatsapp") return "messaging_product must be whatsapp";
  if (body.recipient_type !== undefined && body.recipient_type !== "individual") return "recipient_type must be individual";
  if (typeof body.to !== "string" || !/^\d{7,15}$/.test(body.to)) return "to must be a phone number";
  if (body.type === "text") {
    const text = body.text as { body?: unknown } | undefined;
    if (typeof text?.body !== "string" || text.body.length === 0) return "text.body is required";
    if (text.body.length > 4096) return "text.body is longer than 4096 characters";
    return null;
  }
  if (body.type === "interactive") {
    const interactive = body.interactive as
      | {
          type?: unknown;
          body?: { text?: unknown };
          action?: { buttons?: Array<{ type?: unknown; reply?: { id?: unknown; title?: unknown } }> };
        }
      | undefined;
    if (interactive?.type !== "button") return "interactive.type must be button";
    if (typeof interactive.body?.text !== "string" || interactive.body.text.length > 1024)
      return "interactive.body.text is required, ≤ 1024";
    const buttons = interactive.action?.buttons;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return "1 to 3 buttons";
    for (const button of buttons) {
      if (button.type !== "reply") return "button type must be reply";
      if (typeof button.reply?.id !== "string" || button.reply.id.length === 0 || button.reply.id.length > 256) return "reply.id ≤ 256";
      if (typeof button.reply.title !== "string" || [...button.reply.title].length > 20) return "reply.title ≤ 20 characters";
    }
    return null;
  }
  return "unsupported message type";
}
