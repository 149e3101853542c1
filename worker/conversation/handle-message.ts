import type { GatewayConfig } from "../config.js";
import { callTool } from "./call-tool.js";
import { parseCommand } from "./commands.js";
import type { InboundMessage } from "./inbound-message.js";

const HELP = [
  "Drawbridge commands:",
  "/run <command> — run a shell command in your home sandbox",
  "/ls [path] — list your workspace",
  "/help — this list",
].join("\n");

/**
 * The pipeline every channel feeds, after the gatekeeper (worker/gatekeeper) decided who the
 * sender is: command → role check → tool call → reply text. Returns null for no answer.
 */
export async function handleMessage(env: Env, config: GatewayConfig, message: InboundMessage): Promise<string | null> {
  if (message.role === "blocked") return null;
  const command = parseCommand(message.text);
  switch (command.kind) {
    case "run":
      if (!command.command) return "Usage: /run <command>, e.g. /run echo hello";
      return callTool(env, config, message, { tool: "exec", args: { command: command.command } }, `/run ${command.command}`);
    case "ls":
      return callTool(env, config, message, { tool: "ls", args: command.path ? { path: command.path } : {} }, `/ls ${command.path}`.trim());
    case "help":
      return HELP;
    case "unknown":
      return `Unknown command /${command.name}.\n\n${HELP}`;
    case "text":
      return `I only understand commands for now.\n\n${HELP}`;
  }
}
