import type { GatewayConfig } from "../../config.js";
import type { ChannelClient } from "../channel-client.js";
import { sendApprovalPrompt } from "./approval-prompt.js";
import { botApi, deliverReply } from "./bot-api.js";
import { answerButton, editPrompt, sendPairingPrompt } from "./owner-prompt.js";
import { readUpdate, TelegramUpdate } from "./update.js";

/** Telegram as the Gatekeeper sees a channel: the Bot API behind grammY. */
export function telegramClient(env: Env, config: GatewayConfig): ChannelClient {
  const api = botApi(env, config);
  return {
    channel: "telegram",
    read: (body) => readUpdate(TelegramUpdate.parse(JSON.parse(body))),
    deliver: (chatId, text) => deliverReply(api, chatId, text),
    sendPairingPrompt: (ownerId, request, ttlMinutes, mode) => sendPairingPrompt(api, ownerId, request, ttlMinutes, mode),
    answerButton: (tap, text, alert) => answerButton(api, tap.callbackId, text, alert),
    editPrompt: (chatId, messageId, text) => editPrompt(api, chatId, Number(messageId), text),
    sendApprovalPrompt: async (ownerId, approval, now) => {
      const messageId = await sendApprovalPrompt(api, ownerId, approval, now);
      return messageId === null ? null : { chatId: ownerId, messageId: String(messageId) };
    },
  };
}
