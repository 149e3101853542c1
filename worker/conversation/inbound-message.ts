import type { Role } from "../../shared/access/roles.js";
import type { ChannelName } from "../../shared/identity.js";

/** A chat message in channel-neutral form, after the gatekeeper let it in. */
export type InboundMessage = {
  channel: ChannelName;
  /** `<channel>:<numeric id>` of the sender. */
  senderKey: string;
  /** Where the reply goes (a Telegram chat id; the console has none). For a group, the group's chat id. */
  chatId: string;
  /** A direct message, or a message in a group (each group has its own session). */
  chat: "dm" | "group";
  text: string;
  /** The sender's display name, only ever shown (e.g. in the owner's approval prompt), never trusted. */
  name?: string;
  /** What the gatekeeper decided this sender may do. */
  role: Role;
  /** The channel account whose Gatekeeper let the message in (it answers it); absent on the console. */
  account?: string;
};
