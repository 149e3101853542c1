import type { GatewayConfig } from "../config.js";
import { modelText, newConversation, startTurn } from "./assistant-commands.js";
import { callTool } from "./call-tool.js";
import type { InboundMessage } from "./inbound-message.js";
import { helpText, statusText, whoamiText } from "./info-commands.js";
import { planMessage, type MessagePlan } from "./message-plan.js";
import { sessionOf } from "./session-of.js";

/**
 * The pipeline every channel feeds, after the gatekeeper (worker/gatekeeper) decided who the
 * sender is: plan (command + tool decision) → tool call → reply text. Returns null for no answer.
 * The Gatekeeper passes the plan it already made; the console makes it here.
 */
export async function handleMessage(
  env: Env,
  config: GatewayConfig,
  message: InboundMessage,
  plan: MessagePlan = planMessage(config, message),
): Promise<string | null> {
  if (message.role === "blocked") return null;
  const session = sessionOf(message, config);
  if (plan.kind === "usage") return plan.text;
  if (plan.kind === "tool") return callTool(env, config, message, session, plan);
  switch (plan.command.kind) {
    case "status":
      return statusText(env, config, message, session);
    case "whoami":
      return whoamiText(config, message, session);
    case "unknown":
      return `Unknown command /${plan.command.name}.\n\n${helpText(config, message)}`;
    case "text":
      return startTurn(env, config, message, session);
    case "new":
      return newConversation(env, session);
    case "model":
      return modelText(config);
    case "help":
      return helpText(config, message);
  }
}
