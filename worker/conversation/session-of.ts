import { sessionKey } from "../../shared/sessions/session-key.js";
import type { SessionKey } from "../../shared/tools/tool-call.js";
import { isOwnerKey, type GatewayConfig } from "../config.js";
import type { InboundMessage } from "./inbound-message.js";

/**
 * The session (and so the runner sandbox) a message belongs to, per `sessions` in the access config.
 * Default dmScope "main": the owner's DMs on every channel share "main"; everyone else gets their own.
 */
export function sessionOf(message: InboundMessage, config: GatewayConfig): SessionKey {
  return sessionKey(config.access.sessions, {
    channel: message.channel,
    senderKey: message.senderKey,
    // Both: the role says the gatekeeper recognised the owner, the key that it is a configured one.
    isOwner: message.role === "owner" && isOwnerKey(config, message.senderKey),
    chat: message.chat === "group" ? { kind: "group", chatId: message.chatId } : { kind: "dm" },
  });
}
