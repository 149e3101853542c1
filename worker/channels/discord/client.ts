import type { EdgeSettings } from "../../config.js";
import { splitReply } from "../../replies/split-reply.js";
import type { ChannelClient } from "../channel-client.js";
import type { Delivery } from "../delivery.js";
import { approvalOutcomeMessage, approvalPromptMessage } from "./approval-prompt.js";
import { outcomeMessage, pairingPrompt } from "./owner-prompt.js";
import { readDiscordPayload } from "./read-payload.js";
import { readAddress, shownAddress, tokenUsable, userAddress } from "./reply-address.js";
import { discordApi, MAX_CONTENT, NO_MENTIONS, type DiscordCall } from "./rest-api.js";

/** Ephemeral: only the one who tapped sees the notice. */
const EPHEMERAL = 64;

/**
 * Discord as the Gatekeeper sees a channel. A reply to a slash command goes to its interaction's
 * follow-up webhook while the token lasts (the first one replaces Discord's "thinking…"); any
 * other reply, and one after the token expired, is a bot message in the channel. Replies longer
 * than Discord's 2,000 characters are sent as several messages, in order.
 */
export function discordClient(env: Env, settings: EdgeSettings): ChannelClient {
  const call = discordApi(env, settings.discordApiRoot);
  // The account is `discord:<application id>`: the id the interaction webhooks are under.
  const appId = settings.account.slice("discord:".length);
  const sent = async (...args: Parameters<DiscordCall>) => (await call(...args)).delivery.kind === "sent";
  return {
    channel: "discord",
    read: readDiscordPayload,
    deliver: (address, text) => deliver(call, appId, address, text),
    sendPairingPrompt: async (ownerId, request, ttlMinutes, mode) => {
      const channelId = await dmChannelOf(call, ownerId);
      return (
        typeof channelId === "string" &&
        (await sent("POST", `/channels/${channelId}/messages`, pairingPrompt(request, ttlMinutes, mode), "bot"))
      );
    },
    answerButton: (tap, text) =>
      sent(
        "POST",
        `/webhooks/${appId}/${tap.callbackId}`,
        { content: text.slice(0, MAX_CONTENT), flags: EPHEMERAL, allowed_mentions: NO_MENTIONS },
        "interaction",
      ),
    editPrompt: (chatId, messageId, text) => sent("PATCH", `/channels/${chatId}/messages/${messageId}`, outcomeMessage(text), "bot"),
    sendApprovalPrompt: async (ownerId, approval, now) => {
      const channelId = await dmChannelOf(call, ownerId);
      if (typeof channelId !== "string") return null;
      const { delivery, answer } = await call("POST", `/channels/${channelId}/messages`, approvalPromptMessage(approval, now), "bot");
      const messageId = (answer as { id?: unknown } | null)?.id;
      return delivery.kind === "sent" && typeof messageId === "string" && /^\d{17,20}$/.test(messageId)
        ? { chatId: channelId, messageId }
        : null;
    },
    editApprovalPrompt: (place, approval) =>
      sent("PATCH", `/channels/${place.chatId}/messages/${place.messageId}`, approvalOutcomeMessage(approval), "bot"),
    directAddress: userAddress,
    shownAddress,
  };
}

async function deliver(call: DiscordCall, appId: string, address: string, text: string): Promise<Delivery> {
  if (address.startsWith("user:")) {
    const dm = await dmChannelOf(call, address.slice("user:".length));
    if (typeof dm !== "string") return dm;
    address = dm;
  }
  const { channelId, interactionId, token } = readAddress(address);
  const viaInteraction = interactionId !== null && token !== null && tokenUsable(interactionId, Date.now());
  const path = viaInteraction ? `/webhooks/${appId}/${token}` : `/channels/${channelId}/messages`;
  let delivery: Delivery = { kind: "sent" };
  // A later part that fails makes the whole reply fail or wait: on a retry the parts before it are sent again, never lost.
  for (const part of splitReply(text, MAX_CONTENT)) {
    delivery = (await call("POST", path, { content: part, allowed_mentions: NO_MENTIONS }, viaInteraction ? "interaction" : "bot"))
      .delivery;
    if (delivery.kind !== "sent") return delivery;
  }
  return delivery;
}

/** A user's DM channel with the bot (`POST /users/@me/channels`, which returns the existing one), or how opening it went. */
async function dmChannelOf(call: DiscordCall, userId: string): Promise<string | Exclude<Delivery, { kind: "sent" }>> {
  const { delivery, answer } = await call("POST", "/users/@me/channels", { recipient_id: userId }, "bot");
  if (delivery.kind !== "sent") return delivery;
  const id = (answer as { id?: unknown } | null)?.id;
  return typeof id === "string" && /^\d{17,20}$/.test(id) ? id : { kind: "failed", detail: "Discord answered no DM channel id" };
}
