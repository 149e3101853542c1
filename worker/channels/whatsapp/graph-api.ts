import { z } from "zod";
import type { Delivery } from "../delivery.js";

/** One send to the Cloud API's messages endpoint, tried once; when taken, the message id Meta gave it. */
export type GraphSend = (message: Record<string, unknown>) => Promise<Delivery & { messageId?: string }>;

// Meta's codes that say "not now" (rate limits, throughput, a hiccup on its side): kept and retried.
// 130429 throughput, 131056 pair rate (one customer), 4 / 80007 app and account rate limits,
// 1 / 2 / 131000 / 131016 / 133004 unknown or temporary errors and service unavailable.
const RETRYABLE = new Set([130429, 131056, 4, 80007, 1, 2, 131000, 131016, 133004]);
/** The customer-service window closed: a free-form reply is refused until the user writes again. */
export const OUTSIDE_WINDOW = 131047;

const GraphError = z.object({
  error: z.object({ message: z.string().optional(), type: z.string().optional(), code: z.number().optional() }).loose(),
});

/**
 * `POST <root>/<phone number id>/messages` with the access token as a bearer token. Meta answers
 * `{messages:[{id}]}` when it took the message, and an error object with a numeric `code`
 * otherwise; the code decides (see RETRYABLE, OUTSIDE_WINDOW). Failures are logged with Meta's
 * code and message, never the token.
 */
export function graphSend(root: string, phoneNumberId: string, token: string): GraphSend {
  const url = `${root}/${encodeURIComponent(phoneNumberId)}/messages`;
  return async (message) => {
    // WhatsApp off (DRAWBRIDGE_OWNER may still name a WhatsApp owner): nothing to send with, and no call made.
    if (!token.trim() || !/^\d{1,32}$/.test(phoneNumberId)) return { kind: "failed", detail: "WhatsApp is not configured" };
    const delivery = await send(url, token, message);
    if (delivery.kind !== "sent") {
      console.error(JSON.stringify({ event: "whatsapp.call_failed", outcome: delivery.kind, detail: delivery.detail }));
    }
    return delivery;
  };
}

async function send(url: string, token: string, message: Record<string, unknown>): Promise<Delivery & { messageId?: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", recipient_type: "individual", ...message }),
    });
  } catch {
    return { kind: "retry", afterMs: null, detail: "network error" };
  }
  const answer: unknown = await response.json().catch(() => null);
  const taken = response.ok ? takenId(answer) : null;
  if (taken !== null) return { kind: "sent", messageId: taken };
  const afterMs = retryAfterMs(response.headers.get("retry-after"));
  const error = GraphError.safeParse(answer);
  const code = error.success ? error.data.error.code : undefined;
  const detail =
    `${code ?? response.status} ${(error.success ? (error.data.error.message ?? "") : "unreadable answer").slice(0, 200)}`.trim();
  if (code === OUTSIDE_WINDOW) {
    return {
      kind: "retry",
      afterMs: null,
      detail,
      held: "outside the 24-hour customer-service window (131047): kept until they write again",
    };
  }
  if ((code !== undefined && RETRYABLE.has(code)) || response.status === 429 || response.status >= 500) {
    return { kind: "retry", afterMs, detail };
  }
  return { kind: "failed", detail };
}

/** The id in Meta's `{messages: [{id}]}`, or null when the answer does not say the message was taken. */
function takenId(answer: unknown): string | null {
  const messages = (answer as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) return null;
  const id = (messages[0] as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id.slice(0, 256) : "";
}

function retryAfterMs(header: string | null): number | null {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
}
