import { Api, GrammyError, HttpError } from "grammy";
import type { GatewayConfig } from "../../config.js";

/** grammY's Bot API client pointed at the configured API root (a local stand-in in tests). */
export function botApi(env: Env, config: GatewayConfig): Api {
  return new Api(env.TELEGRAM_BOT_TOKEN ?? "", { apiRoot: config.telegramApiRoot });
}

/** Sends a reply; failures are logged with the Bot API's description, never the token. */
export async function sendReply(api: Api, chatId: string, text: string): Promise<boolean> {
  try {
    await api.sendMessage(chatId, text, { link_preview_options: { is_disabled: true } });
    return true;
  } catch (error) {
    const detail =
      error instanceof GrammyError
        ? `${error.error_code} ${error.description}`
        : error instanceof HttpError
          ? "network error"
          : "unexpected error";
    console.error(JSON.stringify({ event: "telegram.send_failed", chatId, detail }));
    return false;
  }
}
