import { botApi } from "../channels/telegram/bot-api.js";
import type { GatewayConfig } from "../config.js";
import { gatekeeperStub } from "../objects/stubs.js";
import { splitReply } from "../replies/split-reply.js";
import type { TurnAsker } from "./turn-state.js";

/**
 * Sends the turn's words to its chat. Telegram replies go through the Gatekeeper's durable reply
 * queue (kept and retried, in order per chat, while Telegram cannot take them), split at
 * paragraph or line breaks to fit Telegram's limit. The console has no chat: it collects them.
 */
export async function sayInChat(env: Env, config: GatewayConfig, asker: TurnAsker, text: string, consoleLines: string[]): Promise<void> {
  if (asker.replyTo.channel === "console") {
    consoleLines.push(text);
    return;
  }
  const gatekeeper = gatekeeperStub(env, asker.account);
  // A hook's words are labelled with its name, so the owner never mistakes them for a person's.
  if (asker.hook) text = `[${asker.hook.name}] ${text}`;
  for (const part of splitReply(text)) await gatekeeper.deliverReply({ ...config, account: asker.account }, asker.replyTo.chatId, part);
}

/** "typing…" in the chat while the model works; only a courtesy, so a failure is ignored. */
export async function showTyping(env: Env, config: GatewayConfig, asker: TurnAsker): Promise<void> {
  if (asker.replyTo.channel !== "telegram" || asker.hook) return;
  try {
    await botApi(env, config).sendChatAction(asker.replyTo.chatId, "typing");
  } catch {
    // the answer still comes; the indicator is not worth a retry
  }
}
