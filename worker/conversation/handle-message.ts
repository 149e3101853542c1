import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { mayUseRunnerTools } from "../../shared/access/roles.js";
import type { GatewayConfig } from "../config.js";
import { replyTargetOf, submitCall } from "../tunnel/submit-call.js";
import { parseCommand } from "./commands.js";
import { formatExecReply } from "./format-reply.js";
import type { InboundMessage } from "./inbound-message.js";

/** Per-exec time limit the runner enforces; the hub waits a little longer than this. */
export const EXEC_TIMEOUT_MS = 30_000;

const HELP = [
  "Drawbridge commands:",
  "/run <command> — run a shell command in your home sandbox",
  "/ls [path] — list your workspace",
  "/help — this list",
].join("\n");

export const RUNNER_TOOLS_REFUSED = "⛔ Your role does not include runner tools, so nothing ran. Ask the owner if you need them.";

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

/** Role check, then one call to the runner. Queued (runner offline) or slow calls answer with a notice; the result follows via replyTo. */
async function callTool(env: Env, config: GatewayConfig, message: InboundMessage, request: ToolRequest, label: string): Promise<string> {
  if (!mayUseRunnerTools(message.role)) return RUNNER_TOOLS_REFUSED;
  const answer = await submitCall(env, {
    runner: config.defaultRunner,
    session: sessionFor(message),
    request,
    timeoutMs: EXEC_TIMEOUT_MS,
    replyTo: replyTargetOf(message),
    label,
  });
  return answer.status === "done" ? formatExecReply(answer.outcome) : answer.notice;
}

/** The owner's sandbox is "main"; everyone else gets their own, never the owner's. */
function sessionFor(message: InboundMessage): string {
  return message.role === "owner" ? "main" : `dm:${message.senderKey}`;
}
