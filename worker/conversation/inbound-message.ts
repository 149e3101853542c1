import type { ChannelName } from "../../shared/identity.js";

/** A chat message in channel-neutral form, as the gatekeeper and session see it. */
export type InboundMessage = {
  channel: ChannelName;
  /** `<channel>:<numeric id>` of the sender. */
  senderKey: string;
  /** Where the reply goes (a Telegram chat id; the console has none). */
  chatId: string;
  text: string;
};
