import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One REST call as the stand-in took it: `auth` is the Authorization header ("" for none). */
export type DiscordApiCall = { method: string; path: string; auth: string; body: unknown };

/**
 * Discord failing the next `count` calls to one path (e.g. `/webhooks/<app>/<token>`): `status`
 * 429 answers `{message, retry_after, global}` with a Retry-After header as Discord does, other
 * statuses `{message, code}`, and `status` 0 drops the connection.
 */
export type DiscordOutage = { path: string; count: number; status: number; retryAfter?: number };

const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/**
 * A local HTTP server speaking the REST routes Drawbridge calls (Discord itself is unreachable
 * here): `POST /users/@me/channels` (a DM channel, `2` + the user id's other digits),
 * `POST /channels/<id>/messages`, `PATCH /channels/<id>/messages/<id>` (bot token required),
 * `POST /webhooks/<app>/<token>` (interaction follow-ups; the token in the path is the auth),
 * and `PUT /applications/<app>[/guilds/<guild>]/commands` (bulk overwrite: the list replaces what was there).
 * Records every call taken, and separately every call an outage refused.
 */
export class DiscordApiStandIn {
  readonly calls: DiscordApiCall[] = [];
  readonly refused: DiscordApiCall[] = [];
  /** Registered commands per application, as the last bulk overwrite left them. */
  readonly commands = new Map<string, unknown[]>();
  private outages: DiscordOutage[] = [];
  private server: Server | null = null;
  private seq = 0;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
          response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
        const path = (request.url ?? "").replace(/^\/api\/v10/, "");
        if (request.method === "GET" && path === "/__standin/calls") return reply(200, this.calls);
        if (request.method === "GET" && path === "/__standin/refused") return reply(200, this.refused);
        if (request.method === "POST" && path === "/__standin/outage") {
          this.outages.push(JSON.parse(raw) as DiscordOutage);
          return void response.writeHead(204).end();
        }
        let body: unknown;
        try {
          body = raw === "" ? null : JSON.parse(raw);
        } catch {
          return reply(400, { message: "400: Bad Request", code: 50109 });
        }
        const call: DiscordApiCall = { method: request.method ?? "", path, auth: request.headers.authorization ?? "", body };
        const webhook = /^\/webhooks\/\d+\/[A-Za-z0-9._-]+$/.test(path);
        if (!webhook && !/^Bot .+$/.test(call.auth)) return reply(401, { message: "401: Unauthorized", code: 0 });
        const outage = this.outages.find((o) => o.count > 0 && o.path === path);
        if (outage) {
          outage.count -= 1;
          this.refused.push(call);
          if (outage.status === 0) return void response.socket?.destroy();
          if (outage.status === 429) {
            const after = outage.retryAfter ?? 1;
            return reply(
              429,
              { message: "You are being rate limited.", retry_after: after, global: false },
              { "retry-after": String(Math.ceil(after)) },
            );
          }
          return reply(outage.status, { message: "stand-in outage", code: 0 });
        }
        const answer = this.answerFor(call);
        if (answer === null) return reply(404, { message: "404: Not Found", code: 0 });
        this.calls.push(call);
        return reply(200, answer);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/api/v10`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private snowflake(): string {
    return String(((BigInt(Date.now()) - DISCORD_EPOCH_MS) << 22n) | BigInt(++this.seq % 4096));
  }

  private answerFor(call: DiscordApiCall): unknown {
    const body = (call.body ?? {}) as Record<string, unknown>;
    if (call.method === "POST" && call.path === "/users/@me/channels") {
      const recipient = typeof body.recipient_id === "string" ? body.recipient_id : "";
      return /^\d{17,20}$/.test(recipient) ? { id: `2${recipient.slice(1)}`, type: 1, recipients: [{ id: recipient }] } : null;
    }
    const message = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(call.path);
    if (message && (call.method === "POST" || call.method === "PATCH")) {
      return { id: message[2] ?? this.snowflake(), channel_id: message[1], content: body.content ?? "", components: body.components ?? [] };
    }
    if (call.method === "POST" && /^\/webhooks\/\d+\/[^/]+$/.test(call.path)) return { id: this.snowflake(), content: body.content ?? "" };
    const commands = /^\/applications\/(\d+)(?:\/guilds\/\d+)?\/commands$/.exec(call.path);
    if (commands?.[1] && call.method === "PUT" && Array.isArray(call.body)) {
      const registered = call.body.map((command: unknown, index) => ({
        id: `${commands[1]}${index}`,
        application_id: commands[1],
        ...(command as object),
      }));
      this.commands.set(commands[1], registered);
      return registered;
    }
    return null;
  }
}
