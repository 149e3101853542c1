import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { UNSCRIPTED_TEXT, type ModelWireFormat, type RecordedModelRequest, type ScriptedReply } from "./model-standin-control.js";
import { anthropicAnswer, anthropicError, openAiAnswer, openAiError, type Answer } from "./model-wire.js";

export type { RecordedModelRequest, ScriptedReply } from "./model-standin-control.js";

/**
 * A model provider on 127.0.0.1 speaking OpenAI Chat Completions (`POST /v1/chat/completions`,
 * `GET /v1/models`) and Anthropic Messages (`POST /v1/messages`), non-streaming, as the real APIs
 * answer. Replies are scripted per conversation key; every request is recorded with its headers,
 * so a test can see what the model was shown and where the API key went. Node tests call its
 * methods; workerd tests use the `/__standin/*` endpoints through ModelStandInControl.
 */
export class ModelStandIn {
  private readonly queues = new Map<string, ScriptedReply[]>();
  private readonly recorded: RecordedModelRequest[] = [];
  private models: string[] = ["standin-model"];
  private server: Server | null = null;

  /** Listens on a random loopback port; resolves with the root URL (the API base is `<root>/v1`). */
  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.route(request, Buffer.concat(chunks).toString("utf8"), response).catch((error: unknown) => {
          if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" }).end(`stand-in failed: ${String(error)}`);
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queues replies for a conversation: matched by model name, else by the key appearing anywhere in the request. */
  script(key: string, ...replies: ScriptedReply[]): void {
    this.queues.set(key, [...(this.queues.get(key) ?? []), ...replies]);
  }

  requests(key: string): RecordedModelRequest[] {
    return this.recorded.filter((request) => request.key === key);
  }

  reset(key: string): void {
    this.queues.delete(key);
    for (let i = this.recorded.length - 1; i >= 0; i--) if (this.recorded[i]?.key === key) this.recorded.splice(i, 1);
  }

  setModels(models: string[]): void {
    this.models = [...models];
  }

  private async route(request: IncomingMessage, raw: string, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://stand-in");
    const method = request.method ?? "GET";
    if (url.pathname.startsWith("/__standin/")) return this.control(method, url, raw, response);
    if (method === "GET" && url.pathname === "/v1/models") {
      const data = this.models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "stand-in" }));
      return sendJson(response, 200, { object: "list", data });
    }
    const format: ModelWireFormat | null =
      method === "POST" && url.pathname === "/v1/chat/completions"
        ? "openai"
        : method === "POST" && url.pathname === "/v1/messages"
          ? "anthropic"
          : null;
    if (format === null)
      return sendJson(response, 404, { error: { message: `no route ${method} ${url.pathname}`, type: "invalid_request_error" } });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const key = this.keyOf(body, raw);
    this.recorded.push({ key, format, method, path: url.pathname, headers: headersOf(request), body });
    if (typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true) {
      return sendJson(response, 400, { error: { message: "the stand-in does not stream", type: "invalid_request_error" } });
    }
    const reply = this.nextReply(key) ?? { kind: "text", text: UNSCRIPTED_TEXT };
    if (reply.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (response.destroyed) return;
    const named = typeof body === "object" && body !== null ? (body as { model?: unknown }).model : undefined;
    const model = typeof named === "string" ? named : "";
    if (reply.kind === "garbage") {
      response.writeHead(reply.status ?? 200, { "content-type": reply.contentType ?? "application/json" }).end(reply.body);
      return;
    }
    if (reply.kind === "error") {
      const errorBody = reply.body ?? (format === "openai" ? openAiError(reply.status) : anthropicError(reply.status));
      const text = typeof errorBody === "string" ? errorBody : JSON.stringify(errorBody);
      response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(text);
      return;
    }
    const answer: Answer = {
      id: randomBytes(8).toString("hex"),
      model,
      text: reply.text ?? "",
      calls: reply.kind === "tool_calls" ? reply.calls : [],
      usage: reply.usage ?? { inputTokens: Math.ceil(raw.length / 4), outputTokens: 5 },
    };
    sendJson(response, 200, format === "openai" ? openAiAnswer(answer) : anthropicAnswer(answer));
  }

  private control(method: string, url: URL, raw: string, response: ServerResponse): void {
    const input = (raw === "" ? {} : JSON.parse(raw)) as { key?: string; replies?: ScriptedReply[]; models?: string[] };
    if (method === "POST" && url.pathname === "/__standin/script" && typeof input.key === "string") {
      this.script(input.key, ...(input.replies ?? []));
    } else if (method === "GET" && url.pathname === "/__standin/requests") {
      return sendJson(response, 200, this.requests(url.searchParams.get("key") ?? ""));
    } else if (method === "POST" && url.pathname === "/__standin/reset" && typeof input.key === "string") {
      this.reset(input.key);
    } else if (method === "POST" && url.pathname === "/__standin/models" && Array.isArray(input.models)) {
      this.setModels(input.models);
    } else {
      return sendJson(response, 404, { error: `no control route ${method} ${url.pathname}` });
    }
    response.writeHead(204).end();
  }

  /** The conversation a request belongs to: a key equal to its model, else the longest key found in its body. */
  private keyOf(body: unknown, raw: string): string | null {
    const keys = [...this.queues.keys(), ...new Set(this.recorded.map((r) => r.key).filter((k) => k !== null))];
    const model = typeof body === "object" && body !== null ? (body as { model?: unknown }).model : undefined;
    if (typeof model === "string" && keys.includes(model)) return model;
    const found = keys.filter((key) => raw.includes(key)).sort((a, b) => b.length - a.length);
    return found[0] ?? null;
  }

  private nextReply(key: string | null): ScriptedReply | undefined {
    if (key === null) return undefined;
    const queue = this.queues.get(key) ?? [];
    const reply = queue[0];
    if (reply !== undefined && reply.repeat !== true) queue.shift();
    return reply;
  }
}

function headersOf(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : (value ?? "")]),
  );
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
