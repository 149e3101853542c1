import { Api, GrammyError, HttpError } from "grammy";
import type { GatewayConfig } from "../../config.js";
import type { Delivery } from "../delivery.js";

/** grammY's Bot API client pointed at the configured API root (a local stand-in in tests). */
export function botApi(env: Env, config: GatewayConfig): Api {
  return new Api(env.TELEGRAM_BOT_TOKEN ?? "", { apiRoot: config.telegramApiRoot });
}

export type { Delivery } from "../delivery.js";

/** Makes one Bot API call; failures are logged with the Bot API's description, never the token. */
export async function callBotApi(method: string, send: () => Promise<unknown>): Promise<Delivery> {
  try {
    await send();
    return { kind: "sent" };
  } catch (error) {
    const delivery = classify(error);
    console.error(JSON.stringify({ event: "telegram.call_failed", method, outcome: delivery.kind, detail: delivery.detail }));
    return delivery;
  }
}

/** Sends a plain reply once; see `Delivery` for what a failure means. */
export function deliverReply(api: Api, chatId: string, text: string): Promise<Delivery> {
  return callBotApi("sendMessage", () => api.sendMessage(chatId, text, { link_preview_options: { is_disabled: true } }));
}

/** Sends a reply once, for callers that only need to know whether it arrived. */
export async function sendReply(api: Api, chatId: string, text: string): Promise<boolean> {
  return (await deliverReply(api, chatId, text)).kind === "sent";
}

function classify(error: unknown): Exclude<Delivery, { kind: "sent" }> {
  if (error instanceof GrammyError) {
    const detail = `${error.error_code} ${error.description}`;
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after;
      return { kind: "retry", afterMs: seconds === undefined ? null : seconds * 1000, detail };
    }
    return error.error_code >= 500 ? { kind: "retry", afterMs: null, detail } : { kind: "failed", detail };
  }
  return { kind: "retry", afterMs: null, detail: error instanceof HttpError ? "network error" : "unexpected error" };
}
