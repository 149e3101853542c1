import type { GatewayConfig } from "../config.js";
import { callTool } from "./call-tool.js";
import { commandCall, parseCommand } from "./commands.js";
import type { InboundMessage } from "./inbound-message.js";
import { helpText, statusText, whoamiText } from "./info-commands.js";

/**
 * The pipeline every channel feeds, after the gatekeeper (worker/gatekeeper) decided who the
 * sender is: command → tool policy → tool call → reply text. Returns null for no answer.
 * Tool commands go through callTool, which refuses with the reason before anything reaches the tunnel.
 */
export async function handleMessage(env: Env, config: GatewayConfig, message: InboundMessage): Promise<string | null> {
  if (message.role === "blocked") return null;
  const command = parseCommand(message.text);
  const call = commandCall(command);
  if (call?.kind === "usage") return call.text;
  if (call) return callTool(env, config, message, call.request, call.label);
  switch (command.kind) {
    case "status":
      return statusText(env, config, message);
    case "whoami":
      return whoamiText(config, message);
    case "unknown":
      return `Unknown command /${command.name}.\n\n${helpText(config, message)}`;
    case "text":
      return `I only understand commands for now.\n\n${helpText(config, message)}`;
    default:
      return helpText(config, message);
  }
}
