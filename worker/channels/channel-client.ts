import type { PairingRequest } from "../../shared/access/pairing-store.js";
import type { ChannelName } from "../../shared/identity.js";
import type { ButtonTap, ChannelEvent } from "./channel-event.js";
import type { Delivery } from "./delivery.js";

/** Channels with a Gatekeeper of their own (the console has none). */
export type AccountChannel = Exclude<ChannelName, "console">;

/**
 * What the Gatekeeper needs of a platform, and all it knows of one: read what the inbox stored,
 * send a reply, prompt the owner with buttons, acknowledge a tap, replace a prompt. A new channel
 * implements this (worker/channels/<name>/client.ts) and registers it in clients.ts.
 */
export type ChannelClient = {
  channel: AccountChannel;
  /** The event a stored inbox body carries, or null (nothing to act on). Throws when the body cannot be read. */
  read(body: string): ChannelEvent | null;
  /** One plain reply, tried once; see Delivery. */
  deliver(chatId: string, text: string): Promise<Delivery>;
  /** The owner's pairing prompt, with buttons whose payloads only the owner's taps count for. */
  sendPairingPrompt(ownerId: string, request: PairingRequest, ttlMinutes: number, mode: "approve" | "challenge"): Promise<boolean>;
  /** A short notice to whoever tapped (an alert for refusals, where the platform has one). */
  answerButton(tap: ButtonTap, text: string, alert?: boolean): Promise<boolean>;
  /** Replaces a prompt (and its buttons) with the outcome, so it cannot be tapped twice. */
  editPrompt(chatId: string, messageId: string, text: string): Promise<boolean>;
};

/** The channel a Gatekeeper serves, from its account name (`telegram:<bot id>`, `slack:<team id>`). */
export function channelOfAccount(account: string): AccountChannel {
  if (account.startsWith("whatsapp:")) return "whatsapp";
  return account.startsWith("slack:") ? "slack" : "telegram";
}
