import type { GatewayConfig } from "../config.js";
import { runTool } from "../tunnel/run-tool.js";
import { parseCommand } from "./commands.js";
import { formatExecReply } from "./format-reply.js";
import type { InboundMessage } from "./inbound-message.js";

/** Per-exec time limit the runner enforces; the hub waits a little longer than this. */
export const EXEC_TIMEOUT_MS = 30_000;

const HELP = ["Drawbridge commands:", "/run <command> — run a shell command in your home sandbox", "/help — this list"].join("\n");

/**
 * The pipeline every channel feeds: identity gate → command → tool call → reply text.
 * Returns null when the sender gets no answer at all (not the owner, for now).
 */
export async function handleMessage(env: Env, config: GatewayConfig, message: InboundMessage): Promise<string | null> {
  if (message.senderKey !== config.owner.key) {
    console.log(JSON.stringify({ event: "sender.ignored", channel: message.channel, sender: message.senderKey }));
    return null;
  }
  const command = parseCommand(message.text);
  switch (command.kind) {
    case "run": {
      if (!command.command) return "Usage: /run <command>, e.g. /run echo hello";
      const outcome = await runTool(
        env,
        config.defaultRunner,
        "main",
        {
          tool: "exec",
          args: { command: command.command },
        },
        EXEC_TIMEOUT_MS,
      );
      return formatExecReply(outcome);
    }
    case "help":
      return HELP;
    case "unknown":
      return `Unknown command /${command.name}.\n\n${HELP}`;
    case "text":
      return `I only understand commands for now.\n\n${HELP}`;
  }
}
