import type { GatewayConfig } from "../../config.js";
import type { ChannelClient } from "../channel-client.js";
import { approvalOutcomeMessage, sendSlackApprovalPrompt } from "./approval-prompt.js";
import { outcomeMessage, pairingPrompt } from "./owner-prompt.js";
import { readSlackPayload } from "./read-payload.js";
import { escapeText, slackAnsweredApi, slackApi } from "./web-api.js";

/**
 * Slack as the Gatekeeper sees a channel. Replies go to a conversation id (a DM `D…`, a channel
 * `C…`) or a user id, which Slack delivers in the user's DM with the app.
 */
export function slackClient(env: Env, config: GatewayConfig): ChannelClient {
  const call = slackApi(env, config);
  const sent = async (method: string, body: Record<string, unknown>) => (await call(method, body)).kind === "sent";
  return {
    channel: "slack",
    read: readSlackPayload,
    deliver: (chatId, text) => call("chat.postMessage", { channel: chatId, text: escapeText(text) }),
    sendPairingPrompt: (ownerId, request, ttlMinutes, mode) => sent("chat.postMessage", pairingPrompt(ownerId, request, ttlMinutes, mode)),
    // Only the one who tapped sees it; a tap from a message Slack did not place in a chat has nowhere to answer.
    answerButton: async (tap, text) =>
      tap.chatId === null ? true : sent("chat.postEphemeral", { channel: tap.chatId, user: tap.senderId, text: escapeText(text) }),
    editPrompt: (chatId, messageId, text) => sent("chat.update", outcomeMessage(chatId, messageId, text)),
    sendApprovalPrompt: (ownerId, approval, now) => sendSlackApprovalPrompt(slackAnsweredApi(env, config), ownerId, approval, now),
    editApprovalPrompt: (place, approval) => sent("chat.update", approvalOutcomeMessage(place, approval)),
  };
}
