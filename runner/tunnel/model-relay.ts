import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import { frameFits, MAX_FRAME_BYTES, type ModelReply, type ModelRequest } from "../../shared/tunnel/protocol.js";
import type { AuditEvent } from "../audit/audit-log.js";
import type { HomeModelSettings } from "../floor/model-config.js";

export type ModelRelayOptions = {
  settings: HomeModelSettings;
  /** One line per relayed request: path, status, bytes, duration, never a body. */
  audit?: (event: AuditEvent) => Promise<void>;
  fetch?: typeof fetch;
};

/**
 * Relays one model_request to the model server on this box and says what it answered. Only the
 * method, the path (one of two, checked by the frame schema) and the body cross: no header of
 * the gateway's, nothing of the runner's environment, no credential. Redirects are not followed
 * (a 3xx could point anywhere on the network) and the answer is read only up to what one frame
 * can carry.
 */
export async function relayModelRequest(request: ModelRequest, options: ModelRelayOptions): Promise<ModelReply> {
  const started = performance.now();
  const reply = await answer(request, options);
  const bytes = reply.ok ? Buffer.byteLength(reply.body) : 0;
  await options
    .audit?.({
      event: "model.relayed",
      id: request.id,
      method: request.method,
      path: request.path,
      requestBytes: Buffer.byteLength(request.body),
      ...(reply.ok ? { status: reply.status, bytes } : { error: reply.error.code }),
      durationMs: Math.round(performance.now() - started),
    })
    .catch(() => undefined);
  return reply;
}

async function answer(request: ModelRequest, { settings, fetch: fetchImpl = fetch }: ModelRelayOptions): Promise<ModelReply> {
  if (settings === null) {
    return failure(
      "model_not_configured",
      "this runner has no model server: set model.baseUrl in its runner.json (e.g. http://127.0.0.1:11434/v1)",
    );
  }
  const url = `${settings.baseUrl}${request.path}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: request.method,
      headers:
        request.method === "POST" ? { "content-type": "application/json", accept: "application/json" } : { accept: "application/json" },
      body: request.method === "POST" ? request.body : undefined,
      redirect: "manual",
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return failure("model_timeout", `the model server at ${origin(url)} did not answer within ${request.timeoutMs} ms`);
    }
    return failure("model_unreachable", `the model server at ${origin(url)} cannot be reached; is it running?`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    return failure(
      "model_refused",
      `the model server at ${origin(url)} answered with a redirect (HTTP ${response.status}); redirects are not followed`,
    );
  }
  let body: string | null;
  try {
    body = await readCapped(response, MAX_FRAME_BYTES);
  } catch {
    // The timeout covers the body too: a server that drips its answer is cut off.
    return failure("model_timeout", `the model server at ${origin(url)} did not finish its answer within ${request.timeoutMs} ms`);
  }
  if (body === null) return tooLarge(url);
  const reply: ModelReply = {
    ok: true,
    status: response.status,
    contentType: (response.headers.get("content-type") ?? "").slice(0, 256),
    body,
  };
  // Escaping grows the text: the whole frame must fit, as the gateway measures it.
  if (!frameFits(encodeFrame({ type: "model_response", id: request.id, reply }))) return tooLarge(url);
  return reply;
}

/** The body as text, or null once it passes `limit` bytes (the rest is not read). */
async function readCapped(response: Response, limit: number): Promise<string | null> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(url: string): ModelReply {
  return failure(
    "payload_too_large",
    `the model server at ${origin(url)} answered with more than the tunnel's ${MAX_FRAME_BYTES}-byte frame limit`,
  );
}

function failure(code: Extract<ModelReply, { ok: false }>["error"]["code"], message: string): ModelReply {
  return { ok: false, error: { code, message } };
}

/** Scheme, host and port: enough to say which server, never a path or query. */
function origin(url: string): string {
  return new URL(url).origin;
}
