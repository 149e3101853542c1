import type { InboundMessage } from "./inbound-message.js";

/** The owner's sandbox is "main"; everyone else gets their own, never the owner's. */
export function sessionOf(message: InboundMessage): string {
  return message.role === "owner" ? "main" : `dm:${message.senderKey}`;
}
