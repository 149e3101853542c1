/**
 * What the Gatekeeper acts on, from any channel, in its own words. Each channel reads its
 * platform's payloads into these; everything else in a payload is ignored. `senderId` is the
 * platform's stable id (never a name); `name` is only ever shown.
 */
export type ChannelEvent =
  | {
      kind: "message";
      senderId: string;
      name: string;
      chat: "private" | "group";
      chatId: string;
      text: string;
      /** The platform itself says the bot was mentioned (Slack's app_mention); the mention is already cut from `text`. */
      mentioned?: boolean;
      /**
       * Where this message's own replies go when that is not `chatId` (Discord: the interaction's
       * follow-up address, good for 15 minutes). Later replies (a late tool result, a turn) go to `chatId`.
       */
      replyTo?: string;
    }
  | { kind: "button"; callbackId: string; senderId: string; data: string; chatId: string | null; messageId: string | null };

export type ChatMessage = Extract<ChannelEvent, { kind: "message" }>;
export type ButtonTap = Extract<ChannelEvent, { kind: "button" }>;
