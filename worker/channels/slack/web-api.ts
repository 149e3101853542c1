import type { GatewayConfig } from "../../config.js";
import type { Delivery } from "../delivery.js";

/** One Web API method call, tried once. */
export type SlackCall = (method: string, body: Record<string, unknown>) => Promise<Delivery>;
/** The same, with what Slack answered when it took the call (e.g. chat.postMessage's `channel` and `ts`). */
export type SlackAnsweredCall = (
  method: string,
  body: Record<string, unknown>,
) => Promise<{ delivery: Delivery; answer: SlackAnswer | null }>;
export type SlackAnswer = Record<string, unknown>;

// Slack answers these with ok:false for good: the chat is gone or the message can never be sent.
// Anything else (ratelimited, internal_error, an error we do not know) is retried, so a reply is
// kept rather than lost; a day later the reply queue gives up on it, audited.
const PERMANENT = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "msg_too_long",
  "no_text",
  "invalid_blocks",
  "invalid_arguments",
  "user_not_found",
  "cannot_dm_bot",
  "restricted_action",
  "message_not_found",
  "cant_update_message",
  "user_not_in_channel",
]);

/**
 * The Web API at SLACK_API_ROOT with the bot token. Slack answers HTTP 200 with `{ok:false}` on
 * failure, so the body decides; a 429 (or `ratelimited`) names its wait in Retry-After. Failures
 * are logged with Slack's error code, never the token.
 */
export function slackApi(env: Env, config: GatewayConfig): SlackCall {
  const answered = slackAnsweredApi(env, config);
  return async (method, body) => (await answered(method, body)).delivery;
}

export function slackAnsweredApi(env: Env, config: GatewayConfig): SlackAnsweredCall {
  const token = env.SLACK_BOT_TOKEN ?? "";
  return async (method, body) => {
    const outcome = await call(`${config.slackApiRoot}/${method}`, token, body);
    const { delivery } = outcome;
    if (delivery.kind !== "sent") {
      console.error(JSON.stringify({ event: "slack.call_failed", method, outcome: delivery.kind, detail: delivery.detail }));
    }
    return outcome;
  };
}

async function call(
  url: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ delivery: Delivery; answer: SlackAnswer | null }> {
  const answer = await answerOf(url, token, body);
  return "kind" in answer ? { delivery: answer, answer: null } : { delivery: { kind: "sent" }, answer: answer.ok };
}

async function answerOf(url: string, token: string, body: Record<string, unknown>): Promise<Delivery | { ok: SlackAnswer }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
    });
  } catch {
    return { kind: "retry", afterMs: null, detail: "network error" };
  }
  const afterMs = retryAfterMs(response.headers.get("retry-after"));
  if (response.status === 429) return { kind: "retry", afterMs, detail: "429 ratelimited" };
  if (response.status >= 500) return { kind: "retry", afterMs: null, detail: `${response.status} from Slack` };
  if (!response.ok) return { kind: "failed", detail: `${response.status} from Slack` };
  const answer = (await response.json().catch(() => null)) as { ok?: unknown; error?: unknown } | null;
  if (answer?.ok === true) return { ok: answer };
  const error = typeof answer?.error === "string" ? answer.error.slice(0, 100) : "unreadable answer";
  return PERMANENT.has(error) ? { kind: "failed", detail: error } : { kind: "retry", afterMs, detail: error };
}

function retryAfterMs(header: string | null): number | null {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
}

/**
 * Slack reads `&`, `<` and `>` as markup (`<!channel>` pings everyone, `<@U…>` mentions): escaped,
 * so text from a sender, a tool or the model is shown as it is and can notify nobody.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
