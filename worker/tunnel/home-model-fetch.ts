import { ModelPath } from "../../shared/tunnel/protocol.js";
import type { WireError } from "../../shared/wire-error.js";
import { hubStub } from "../objects/stubs.js";

/** The base URL the model layer gives the OpenAI-compatible provider for `home:`; never dialled, only read by this fetch. */
export const HOME_MODEL_BASE_URL = "http://home-model.invalid/v1";

/** How long one model request may take at home when the caller sets no deadline (local models can be slow). */
export const HOME_MODEL_TIMEOUT_MS = 180_000;

/**
 * A `fetch` for the AI SDK's OpenAI-compatible provider that reaches the model on the home box:
 * the request goes to the runner's hub, over the authenticated tunnel, to the model server on
 * the runner's loopback. Only the body and the path after `/v1` cross; headers (the provider's
 * Authorization among them) stay here. An offline runner is a 503 whose error code
 * `home_model_offline` the model layer tells the sender as such; a relay failure is a 502.
 */
export function homeModelFetch(env: Env, runner: string, timeoutMs = HOME_MODEL_TIMEOUT_MS): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const path = relayPath(request.url);
    const method = request.method.toUpperCase();
    if (!path || (method !== "POST" && method !== "GET")) {
      return errorResponse(400, {
        code: "bad_request",
        message: `the home model relays only GET /v1/models and POST /v1/chat/completions`,
      });
    }
    const body = method === "POST" ? await request.text() : "";
    const answer = await hubStub(env, runner).relayModel({ method, path, body, timeoutMs });
    if ("offline" in answer) {
      return errorResponse(503, {
        code: "home_model_offline",
        message: `the home runner ${runner} is offline, so the model at home cannot answer`,
      });
    }
    if ("error" in answer) return errorResponse(502, answer.error);
    // The runner refuses 3xx; a status a Response cannot carry is a broken relay, not the model's answer.
    if (answer.status < 200 || answer.status > 599) {
      return errorResponse(502, { code: "model_refused", message: `the home model answered with HTTP ${answer.status}` });
    }
    const empty = answer.status === 204 || answer.status === 205 || answer.status === 304;
    return new Response(empty ? null : answer.body, {
      status: answer.status,
      headers: { "content-type": answer.contentType || "application/json" },
    });
  };
}

/** `/v1/chat/completions` → `/chat/completions`; anything else (another path, a query, a traversal) is null. */
export function relayPath(url: string): ModelPath | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.search !== "" || !parsed.pathname.startsWith("/v1/")) return null;
  const path = ModelPath.safeParse(parsed.pathname.slice("/v1".length));
  return path.success ? path.data : null;
}

function errorResponse(status: number, error: WireError): Response {
  return new Response(JSON.stringify({ error }), { status, headers: { "content-type": "application/json" } });
}
