import type { Delivery } from "../delivery.js";

/** One REST call, tried once: how it went and, when sent, Discord's JSON answer. */
export type DiscordCall = (
  method: "POST" | "PATCH",
  path: string,
  body: Record<string, unknown>,
  auth: "bot" | "interaction",
) => Promise<{ delivery: Delivery; answer: unknown }>;

/**
 * Discord's REST API at DISCORD_API_ROOT (the config's, as the Worker last passed it in). Bot calls carry `Authorization: Bot <token>`; interaction webhooks are
 * authorised by the token in their path and carry none. A 429 names its wait (`retry_after`
 * seconds in the body, or Retry-After); 5xx and network errors are retried; other 4xx are for
 * good. Failures are logged with the path's shape and Discord's error code, never a token.
 */
export function discordApi(env: Env, root: string): DiscordCall {
  const botToken = env.DISCORD_BOT_TOKEN ?? "";
  return async (method, path, body, auth) => {
    const result = await call(`${root}${path}`, method, auth === "bot" ? botToken : null, body);
    if (result.delivery.kind !== "sent") {
      const shape = path.replace(/^\/webhooks\/(\d+)\/[^/]+/, "/webhooks/$1/<token>");
      console.error(
        JSON.stringify({
          event: "discord.call_failed",
          method,
          path: shape,
          outcome: result.delivery.kind,
          detail: result.delivery.detail,
        }),
      );
    }
    return result;
  };
}

async function call(url: string, method: string, botToken: string | null, body: Record<string, unknown>) {
  let response: Response;
  try {
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "DiscordBot (drawbridge, 0.1.0)" };
    if (botToken !== null) headers.authorization = `Bot ${botToken}`;
    response = await fetch(url, { method, headers, body: JSON.stringify(body) });
  } catch {
    return { delivery: { kind: "retry", afterMs: null, detail: "network error" } as Delivery, answer: null };
  }
  const answer = (await response.json().catch(() => null)) as { code?: unknown; message?: unknown; retry_after?: unknown } | null;
  if (response.ok) return { delivery: { kind: "sent" } as Delivery, answer };
  const code = typeof answer?.code === "number" ? ` (code ${answer.code})` : "";
  const detail = `${response.status} from Discord${code}`;
  if (response.status === 429)
    return { delivery: { kind: "retry", afterMs: retryAfterMs(answer?.retry_after, response), detail } as Delivery, answer };
  if (response.status >= 500) return { delivery: { kind: "retry", afterMs: null, detail } as Delivery, answer };
  return { delivery: { kind: "failed", detail } as Delivery, answer };
}

function retryAfterMs(bodySeconds: unknown, response: Response): number | null {
  const header = response.headers.get("retry-after");
  const seconds = typeof bodySeconds === "number" ? bodySeconds : header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
}

/** Nothing Drawbridge sends may ping anyone: @everyone, roles and users in the text stay plain text. */
export const NO_MENTIONS = { parse: [] } as const;

/** Discord's message content limit. */
export const MAX_CONTENT = 2000;
