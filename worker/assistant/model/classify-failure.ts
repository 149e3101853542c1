import { APICallError, RetryError } from "ai";
import { isUnreachable } from "./endpoint-fetch.js";
import { ModelError, scrubbedCause, scrubSecret } from "./model-error.js";
import type { ModelSetting } from "./model-setting.js";

const SET_KEY = "set it with `wrangler secret put DRAWBRIDGE_MODEL_API_KEY` (or DRAWBRIDGE_MODEL_API_KEY in the environment of npm start)";

/** The relay's refusals (worker/tunnel's model relay answers them as an ErrorBody) that mean the home model is not there. */
const RELAY_CODES: Record<string, { kind: "offline" | "timeout" | "unavailable"; says: string }> = {
  home_model_offline: { kind: "offline", says: "The home model is offline: the runner that serves it is not connected." },
  model_unreachable: { kind: "offline", says: "The home model did not answer: the model server on the runner's machine is not reachable." },
  model_timeout: { kind: "timeout", says: "The home model took too long to answer." },
  model_not_configured: { kind: "unavailable", says: "The runner has no model configured (model.baseUrl in runner.json)." },
  model_refused: { kind: "unavailable", says: "The runner refused to relay the model request." },
};

/** Turns whatever a model step threw into one ModelError; `timedOut` says our own deadline fired. */
export function classifyFailure(error: unknown, setting: ModelSetting, secret: string | undefined, timedOut: boolean): ModelError {
  if (error instanceof ModelError) return error;
  const cause = scrubbedCause(error, secret);
  const detail = (text: string): string => scrubSecret(text, secret);
  const inner = RetryError.isInstance(error) ? error.lastError : error;
  if (timedOut || isTimeout(inner)) {
    return new ModelError("timeout", null, `The model (${setting.id}) took too long to answer.`, `model step timed out: ${cause.message}`, {
      cause,
    });
  }
  if (isUnreachable(inner)) {
    return new ModelError(
      "unavailable",
      null,
      `I could not reach the model endpoint for ${setting.id}.`,
      `no connection: ${cause.message}`,
      { cause },
    );
  }
  if (!APICallError.isInstance(inner)) {
    return new ModelError(
      "malformed",
      null,
      `The model (${setting.id}) sent an answer I could not read.`,
      detail(`unreadable answer: ${cause.message}`),
      {
        cause,
      },
    );
  }
  const status = inner.statusCode ?? null;
  const relay = relayCode(inner.responseBody);
  if (relay !== null) return new ModelError(relay.kind, status, relay.says, `relay refused: ${cause.message}`, { cause });
  if (status === null) {
    return new ModelError(
      "unavailable",
      null,
      `I could not reach the model endpoint for ${setting.id}.`,
      `no connection: ${cause.message}`,
      { cause },
    );
  }
  if (status === 401 || status === 403) {
    const userMessage = `The model provider refused the API key (${status}); ${SET_KEY}.`;
    return new ModelError("auth", status, userMessage, `model auth refused (${status}): ${cause.message}`, { cause });
  }
  if (status === 404) {
    const userMessage = `The model provider does not know the model "${setting.model}"; check DRAWBRIDGE_MODEL (and DRAWBRIDGE_MODEL_BASE_URL).`;
    return new ModelError("unknown_model", status, userMessage, `unknown model (404): ${cause.message}`, { cause });
  }
  if (status === 429) {
    return new ModelError(
      "rate_limited",
      status,
      "The model provider is rate-limiting requests; try again in a minute.",
      `rate limited: ${cause.message}`,
      {
        cause,
      },
    );
  }
  if (status >= 500) {
    return new ModelError(
      "server",
      status,
      `The model provider had an error (${status}); try again shortly.`,
      `model server error: ${cause.message}`,
      {
        cause,
      },
    );
  }
  if (status >= 200 && status < 300) {
    return new ModelError(
      "malformed",
      status,
      `The model (${setting.id}) sent an answer I could not read.`,
      `unreadable answer: ${cause.message}`,
      {
        cause,
      },
    );
  }
  // Other 4xx: the provider refused this request (too long, a feature the model lacks); its own words help most.
  const says = providerSays(inner.responseBody, secret);
  const userMessage = `The model provider refused the request (${status})${says === "" ? "." : `: ${says}`}`;
  return new ModelError("server", status, userMessage, `model request refused: ${cause.message}`, { cause });
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function relayCode(body: string | undefined): (typeof RELAY_CODES)[string] | null {
  const code = errorField(body, "code");
  return code !== null && Object.hasOwn(RELAY_CODES, code) ? (RELAY_CODES[code] ?? null) : null;
}

/** The provider's own error message, clipped and scrubbed: `{ error: { message } }` in both wire formats. */
function providerSays(body: string | undefined, secret: string | undefined): string {
  return scrubSecret(errorField(body, "message") ?? "", secret).slice(0, 200);
}

function errorField(body: string | undefined, field: "code" | "message"): string | null {
  if (body === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || !("error" in parsed)) return null;
    const inner: unknown = parsed.error;
    if (typeof inner !== "object" || inner === null || !(field in inner)) return null;
    const value: unknown = (inner as Record<string, unknown>)[field];
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}
