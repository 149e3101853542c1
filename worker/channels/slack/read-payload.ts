import { isSenderIdOn } from "../../../shared/identity.js";
import type { ChannelEvent } from "../channel-event.js";
import { SlackStored, type SlackBlockActions, type SlackEventCallback } from "./payloads.js";

/**
 * Reads the one event a stored Slack payload carries, or null. DMs are `message` events in an
 * `im`; in channels only `app_mention` counts (a `message` there is chatter, and Slack also sends
 * one for every mention, which must not be served twice). Edits, deletions, joins (any subtype),
 * bots and the bot's own messages are ignored. Identity is the user id; Slack sends no name.
 */
export function readSlackPayload(body: string): ChannelEvent | null {
  const stored = SlackStored.parse(JSON.parse(body));
  return stored.type === "block_actions" ? readTap(stored) : readEvent(stored);
}

function readEvent(envelope: SlackEventCallback): ChannelEvent | null {
  const { event } = envelope;
  const botUser = envelope.authorizations?.[0]?.user_id;
  const user = event.user ?? "";
  if (event.subtype !== undefined || event.bot_id !== undefined || event.text === undefined || !event.channel) return null;
  if (!isSenderIdOn("slack", user) || user === botUser) return null;
  if (event.type === "message" && event.channel_type === "im") {
    return { kind: "message", senderId: user, name: user, chat: "private", chatId: event.channel, text: plainText(event.text) };
  }
  if (event.type === "app_mention") {
    const chat = event.channel.startsWith("D") ? "private" : "group";
    const text = plainText(withoutMention(event.text, botUser));
    return { kind: "message", senderId: user, name: user, chat, chatId: event.channel, text, mentioned: true };
  }
  return null;
}

function readTap(payload: SlackBlockActions): ChannelEvent {
  return {
    kind: "button",
    callbackId: payload.trigger_id,
    senderId: payload.user.id,
    data: payload.actions[0]?.value ?? "",
    chatId: payload.channel?.id ?? payload.container?.channel_id ?? null,
    messageId: payload.container?.message_ts ?? null,
  };
}

/** Cuts the bot's mention (`<@U0BOT>`); without the bot's id, the leading mention. */
function withoutMention(text: string, botUser: string | undefined): string {
  if (botUser) return text.split(`<@${botUser}>`).join(" ").trim();
  return text.replace(/^\s*<@[UW][A-Z0-9]+>/, "").trim();
}

/**
 * Slack's markup back to what the sender typed: `<url|label>` and `<url>` become the label or
 * the url, and the three escaped characters are restored (so `/run echo a > b` reads as typed).
 */
function plainText(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>/g, (_, url: string, label: string | undefined) => label ?? url)
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
