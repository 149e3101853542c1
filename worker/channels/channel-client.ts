import type { PairingRequest } from "../../shared/access/pairing-store.js";
import type { Approval } from "../approvals/approval.js";
import type { ChannelName } from "../../shared/identity.js";
import type { ButtonTap, ChannelEvent } from "./channel-event.js";
import type { Delivery } from "./delivery.js";

/** Where a prompt landed: its chat, and the platform's own name for the message as text (Telegram's message_id, Slack's ts). */
export type PromptPlace = { chatId: string; messageId: string };

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
  /**
   * The owner's tool-approval prompt: what would run and for whom (approval-text.ts), with
   * "Allow once" and "Deny" buttons carrying `ap:<id>:allow` / `ap:<id>:deny`, whose taps come
   * back as ButtonTaps. Returns where it landed (for the edit after the decision), or null when it
   * was not sent. A channel without it cannot prompt approvals: they are prompted on another
   * owner channel or decided with `drawbridge approvals`.
   */
  sendApprovalPrompt?(ownerId: string, approval: Approval, now: number): Promise<PromptPlace | null>;
  /** Replaces an approval prompt with its outcome; without it, editPrompt with the outcome's text. */
  editApprovalPrompt?(place: PromptPlace, approval: Approval): Promise<boolean>;
  /** Where a DM to this user goes, when their user id is not itself a chat the platform posts to (Discord). */
  directAddress?(userId: string): string;
  /** How a reply address is named in the audit log, when the address itself carries a credential (Discord's interaction token). */
  shownAddress?(chatId: string): string;
};

/** The channel a Gatekeeper serves, from its account name (`telegram:<bot id>`, `slack:<team id>`, `discord:<application id>`). */
export function channelOfAccount(account: string): AccountChannel {
  if (account.startsWith("discord:")) return "discord";
  if (account.startsWith("whatsapp:")) return "whatsapp";
  return account.startsWith("slack:") ? "slack" : "telegram";
}
