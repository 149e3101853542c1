import type { ChannelIdentity } from "../../shared/identity.js";
import { outcomeText } from "../channels/approval-text.js";
import type { AccountChannel, ChannelClient } from "../channels/channel-client.js";
import type { ButtonTap } from "../channels/channel-event.js";
import { channelClient } from "../channels/clients.js";
import type { GatewayConfig } from "../config.js";
import { telegramAccount } from "../objects/stubs.js";
import type { Approval, Asker, OwnerPrompt } from "./approval.js";

/**
 * The owner's approval prompt on whichever channel can carry it, through that channel's
 * ChannelClient: first the owner on the channel the sender asked from, then every other owner in
 * DRAWBRIDGE_OWNER's order. A channel whose client cannot prompt approvals is passed over, and so
 * is one whose prompt did not go out. Returns where it landed, or null: nobody was told (the
 * approval still waits, for `drawbridge approvals`).
 */
export async function promptOwner(env: Env, settings: GatewayConfig, approval: Approval, now: number): Promise<OwnerPrompt | null> {
  for (const owner of ownersFor(settings, approval.asker)) {
    if (owner.channel === "console") continue;
    const client = clientOn(env, settings, owner.channel, approval.asker);
    if (!client.sendApprovalPrompt) continue;
    const place = await client.sendApprovalPrompt(owner.id, approval, now);
    if (place) return { channel: owner.channel, ...place };
  }
  return null;
}

/** Replaces the owner's prompt with the outcome, so its buttons are gone. */
export async function showOutcomeToOwner(env: Env, settings: GatewayConfig, approval: Approval): Promise<void> {
  const { prompt } = approval;
  if (!prompt || prompt.channel === "console") return;
  const client = clientOn(env, settings, prompt.channel, approval.asker);
  const place = { chatId: prompt.chatId, messageId: prompt.messageId };
  if (client.editApprovalPrompt) await client.editApprovalPrompt(place, approval);
  else await client.editPrompt(place.chatId, place.messageId, outcomeText(approval));
}

/** Answers the owner's tap on the channel it came from (`account`: the Gatekeeper that received it). */
export async function answerTap(env: Env, settings: GatewayConfig, account: string, tap: ButtonTap, text: string, alert: boolean) {
  await channelClient(env, { ...settings, account }).answerButton(tap, text, alert);
}

/** The owner on the asker's channel first, then the rest in the configured order. */
function ownersFor(settings: GatewayConfig, asker: Asker): ChannelIdentity[] {
  const from = chatOf(asker).channel;
  return [...settings.owners.filter((owner) => owner.channel === from), ...settings.owners.filter((owner) => owner.channel !== from)];
}

/**
 * A channel's client, under the account the asker came through when it is that channel's, else
 * the configured one: Telegram's bot, Discord's application, WhatsApp's number; Slack's account
 * does not matter for sending (one bot token posts to one workspace).
 */
function clientOn(env: Env, settings: GatewayConfig, channel: AccountChannel, asker: Asker): ChannelClient {
  const chat = chatOf(asker);
  const configured: Record<AccountChannel, string | undefined> = {
    telegram: telegramAccount(env),
    slack: undefined,
    discord: env.DISCORD_APPLICATION_ID ? `discord:${env.DISCORD_APPLICATION_ID}` : undefined,
    whatsapp: env.WHATSAPP_PHONE_NUMBER_ID ? `whatsapp:${env.WHATSAPP_PHONE_NUMBER_ID}` : undefined,
  };
  const own = "account" in chat && chat.channel === channel ? chat.account : undefined;
  const account = channel === "telegram" ? telegramAccount(env) : (own ?? configured[channel] ?? `${channel}:default`);
  return channelClient(env, { ...settings, account });
}

function chatOf(asker: Asker) {
  return asker.replyTo.channel === "assistant" ? asker.replyTo.origin : asker.replyTo;
}
