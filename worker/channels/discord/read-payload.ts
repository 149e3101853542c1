import { isSenderIdOn } from "../../../shared/identity.js";
import { chatTextOf } from "../../../shared/discord/commands.js";
import { parsePairingButton } from "../telegram/owner-prompt.js";
import { isApprovalButton } from "../telegram/approval-prompt.js";
import type { ChannelEvent } from "../channel-event.js";
import { interactionAddress } from "./reply-address.js";
import { APPLICATION_COMMAND, DiscordInteraction, MESSAGE_COMPONENT } from "./payloads.js";

/**
 * Reads the one event a stored interaction carries, or null. A slash command is a message:
 * from `member.user` in a guild (the guild channel is the chat, group policy) or `user` in a DM
 * (DM policy); it is addressed to the app, so mention gating is met. A button tap is a tap only
 * when it carries a pairing or approval payload (the only buttons Drawbridge sends on Discord). Identity is
 * the user's snowflake; the name is only ever shown.
 */
export function readDiscordPayload(body: string): ChannelEvent | null {
  const interaction = DiscordInteraction.parse(JSON.parse(body));
  const user = interaction.member?.user ?? interaction.user;
  const chatId = interaction.channel_id ?? interaction.channel?.id;
  if (!user || !isSenderIdOn("discord", user.id) || !chatId || !interaction.token) return null;
  if (interaction.type === APPLICATION_COMMAND) {
    const { data } = interaction;
    if (!data?.name || (data.type !== undefined && data.type !== 1)) return null;
    const values = new Map<string, string>();
    for (const option of data.options ?? []) if (typeof option.value === "string") values.set(option.name, option.value);
    const text = chatTextOf(data.name, values);
    if (text.trim() === "") return null;
    return {
      kind: "message",
      senderId: user.id,
      name: user.global_name ?? user.username ?? user.id,
      chat: interaction.guild_id ? "group" : "private",
      chatId,
      text,
      mentioned: true,
      replyTo: interactionAddress(chatId, interaction.id, interaction.token),
    };
  }
  if (interaction.type === MESSAGE_COMPONENT) {
    const data = interaction.data?.custom_id ?? "";
    if (interaction.data?.component_type !== 2 || !(parsePairingButton(data) || isApprovalButton(data))) return null;
    return {
      kind: "button",
      // The tap's own token: the refusal or outcome is told to whoever tapped, through it.
      callbackId: interaction.token,
      senderId: user.id,
      data,
      chatId: interaction.message?.channel_id ?? chatId,
      messageId: interaction.message?.id ?? null,
    };
  }
  return null;
}
