import type { ChannelName } from "../identity.js";
import { SessionKey } from "../tools/tool-call.js";
import type { SessionConfig } from "./session-config.js";

/** Who is talking and where, as far as sessions care. */
export type SessionSubject = {
  /** The channel the message came in on. */
  channel: ChannelName;
  /** `<channel>:<id>` of the sender (the console speaks as the owner's identity). */
  senderKey: string;
  /** The configured owner (DRAWBRIDGE_OWNER), not just a trusted sender. */
  isOwner: boolean;
  chat: { kind: "dm" } | { kind: "group"; chatId: string };
};

/**
 * The session a message belongs to. Key shapes, each with its own prefix so no two can meet:
 *   main                          the owner's DMs under dmScope "main"
 *   dm:<person>                   per-peer (and everyone but the owner under "main")
 *   dm:<channel>:<person>         per-channel-peer
 *   group:<channel>:<chat id>     each group (ids may be negative)
 * where <person> is `link:<name>` for a linked id, else the sender's `<channel>:<numeric id>`.
 * "link" is no channel name and ids are digits, so a link name never reads as an id.
 */
export function sessionKey(config: SessionConfig, subject: SessionSubject): SessionKey {
  // Slack ids are upper-case only and every other part is lower-case already, so lower-casing
  // (session keys name containers: a-z only) keeps distinct senders distinct.
  const key = rawKey(config, subject).toLowerCase();
  // Never reached for valid subjects; a bad key must not reach the runner as a container name.
  return SessionKey.parse(key);
}

const SENDER = /^((telegram|console):-?\d{1,20}|slack:[UW][A-Z0-9]{2,31}|whatsapp:[1-9]\d{6,14}|discord:\d{17,20})$/;
const CHAT = /^(-?\d{1,20}|[CG][A-Z0-9]{2,31})$/;

function rawKey(config: SessionConfig, subject: SessionSubject): string {
  // The shapes below are only distinct while ids are digits (or Slack's upper-case ids); anything else is refused, not keyed.
  if (!SENDER.test(subject.senderKey)) throw new Error(`not a sender id: ${subject.senderKey}`);
  if (subject.chat.kind === "group") {
    if (!CHAT.test(subject.chat.chatId)) throw new Error(`not a group chat id: ${subject.chat.chatId}`);
    return `group:${subject.channel}:${subject.chat.chatId}`;
  }
  switch (config.dmScope) {
    case "main":
      return subject.isOwner ? "main" : `dm:${personOf(config, subject.senderKey)}`;
    case "per-peer":
      return `dm:${personOf(config, subject.senderKey)}`;
    case "per-channel-peer":
      return `dm:${subject.channel}:${personOf(config, subject.senderKey)}`;
  }
}

/** The link a sender's id belongs to, as `link:<name>`, or the id itself. */
export function personOf(config: SessionConfig, senderKey: string): string {
  for (const [name, ids] of Object.entries(config.identityLinks)) {
    if (ids.includes(senderKey)) return `link:${name}`;
  }
  return senderKey;
}
