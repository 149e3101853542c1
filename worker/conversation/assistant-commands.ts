import type { SessionKey } from "../../shared/tools/tool-call.js";
import type { TurnAsker } from "../assistant/turn-state.js";
import type { GatewayConfig } from "../config.js";
import { retryOnce } from "../objects/retry-once.js";
import { replyTargetOf } from "../tunnel/submit-call.js";
import { assistantStub, telegramAccount } from "../objects/stubs.js";
import type { InboundMessage } from "./inbound-message.js";

/** What a plain-text message gets when no model is configured: how to set one, in one line. */
export const NO_MODEL_LINE =
  "No model is configured, so I only understand commands (/help). Set DRAWBRIDGE_MODEL, e.g. openai:gpt-4o-mini with the DRAWBRIDGE_MODEL_API_KEY secret, or home:<model> for a model on your home box (see docs/assistant.md).";

/**
 * A plain-text message starts (or queues) an assistant turn in the message's session. Telegram's
 * answer follows in the chat (the webhook is long acknowledged); the console waits for it.
 */
export async function startTurn(env: Env, config: GatewayConfig, message: InboundMessage, session: SessionKey): Promise<string | null> {
  if (config.model === null) return NO_MODEL_LINE;
  const wait = message.channel === "console";
  const asker: TurnAsker = {
    ...{ senderKey: message.senderKey, name: (message.name ?? "").slice(0, 100), role: message.role },
    ...{ channel: message.channel, chatId: message.chatId, chat: message.chat },
    // The Gatekeeper that let the message in answers it (and knows the sender's standing); the console is the Worker's own bot.
    account: message.account ?? telegramAccount(env),
    replyTo: replyTargetOf(message),
  };
  const result = await assistantStub(env, session).begin(config, { session, asker, text: message.text.slice(0, 16_384) }, wait);
  switch (result.kind) {
    case "answered":
      return result.text;
    case "started":
      return null;
    case "queued":
      return `⏳ I'm still working on your previous message; this one is next in line (${result.ahead} waiting).`;
  }
}

/** `/new`: forget this session's conversation. */
export async function newConversation(env: Env, session: SessionKey): Promise<string> {
  const forgotten = await retryOnce(() => assistantStub(env, session).reset());
  return forgotten > 0
    ? `🆕 New conversation: I forgot the last ${forgotten} messages of this chat.`
    : "🆕 New conversation (there was nothing to forget).";
}

/** `/model`: the model in use (never its key). */
export function modelText(config: GatewayConfig): string {
  const setting = config.model;
  if (!setting) return NO_MODEL_LINE;
  const where =
    setting.provider === "home" ? " (on the home box, through the runner)" : setting.baseUrl ? ` at ${new URL(setting.baseUrl).host}` : "";
  return `Model: ${setting.id}${where}.`;
}

/** The sender's use of the assistant today, for /status. */
export async function usageLine(env: Env, config: GatewayConfig, message: InboundMessage, session: SessionKey): Promise<string | null> {
  if (config.model === null || message.role === "blocked") return null;
  const use = await retryOnce(() => assistantStub(env, session).usage(config, message.senderKey, message.role));
  return `Assistant today: ${use.steps}/${use.budget.steps} steps, ${use.tokens}/${use.budget.tokens} tokens`;
}
