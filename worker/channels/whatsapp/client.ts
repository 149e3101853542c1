import { splitReply } from "../../replies/split-reply.js";
import type { ChannelClient } from "../channel-client.js";
import type { Delivery } from "../delivery.js";
import type { GatewayConfig } from "../../config.js";
import { graphSend, type GraphSend } from "./graph-api.js";
import { sendWhatsAppApprovalOutcome, sendWhatsAppApprovalPrompt } from "./approval-prompt.js";
import { pairingPrompt } from "./owner-prompt.js";
import { readWhatsAppPayload } from "./read-payload.js";

/** WhatsApp refuses text bodies above 4,096 characters. */
export const MAX_TEXT_CHARS = 4096;

/**
 * WhatsApp as the Gatekeeper sees a channel: the Cloud API's messages endpoint of the configured
 * phone number. A chat is the user's wa_id. There is no way to edit a sent message, so a decided
 * prompt keeps its buttons (a second tap is answered "already used" by the pairing store).
 */
export function whatsappClient(env: Env, settings: GatewayConfig & { account: string }): ChannelClient {
  // The account is the number (`whatsapp:<phone number id>`): an alarm sends from the number the webhook came in on.
  // A prompt for the owner from another channel's sender names no number (`whatsapp:default`): the configured one.
  const ofAccount = settings.account.slice("whatsapp:".length);
  const phoneNumberId = /^\d{1,32}$/.test(ofAccount) ? ofAccount : (env.WHATSAPP_PHONE_NUMBER_ID ?? "");
  const send = graphSend(settings.whatsappApiRoot, phoneNumberId, env.WHATSAPP_ACCESS_TOKEN ?? "");
  const text = (to: string, body: string) => sendText(send, to, body);
  return {
    channel: "whatsapp",
    read: readWhatsAppPayload,
    deliver: text,
    sendPairingPrompt: async (ownerId, request, ttlMinutes, mode) =>
      (await send(pairingPrompt(ownerId, request, ttlMinutes, mode))).kind === "sent",
    // A tap is a message from the one who tapped, so their window is open: the notice is a plain message to them.
    answerButton: async (tap, notice) => (await text(tap.senderId, notice)).kind === "sent",
    editPrompt: () => Promise.resolve(true),
    sendApprovalPrompt: (ownerId, approval, now) => sendWhatsAppApprovalPrompt(send, ownerId, approval, now),
    editApprovalPrompt: (place, approval) => sendWhatsAppApprovalOutcome(send, place, approval),
  };
}

/** A text message, split in order at WhatsApp's limit; stops at the first piece that is not taken. */
async function sendText(send: GraphSend, to: string, body: string): Promise<Delivery> {
  let delivery: Delivery = { kind: "sent" };
  for (const part of splitReply(body, MAX_TEXT_CHARS)) {
    delivery = await send({ to, type: "text", text: { body: part, preview_url: false } });
    if (delivery.kind !== "sent") return delivery;
  }
  return delivery;
}
