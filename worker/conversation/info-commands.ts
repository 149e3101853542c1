import { allowedTools } from "../../shared/policy/decide-tool.js";
import { routeFor } from "../../shared/sessions/runner-routing.js";
import { TOOL_NAMES, type SessionKey, type ToolName } from "../../shared/tools/tool-call.js";
import type { GatewayConfig } from "../config.js";
import { retryOnce } from "../objects/retry-once.js";
import { hubStub } from "../objects/stubs.js";
import { usageLine } from "./assistant-commands.js";
import type { InboundMessage } from "./inbound-message.js";
import { toolUserOf } from "../policy/tool-decision.js";

/** Each chat command with the tool it needs; null = answered at the edge, open to every sender. */
const COMMANDS: [ToolName | null, string][] = [
  ["exec", "/run <command> — run a shell command in your sandbox"],
  ["read", "/read <path> — show a file from your workspace"],
  ["write", "/write <path> <content> — write a file (the content may span lines)"],
  ["ls", "/ls [path] — list your workspace"],
  [null, "/status — is the home runner online, queued calls, your role"],
  [null, "/whoami — your id, role, session and the tools you may use"],
  [null, "/new — start a fresh conversation with the assistant"],
  [null, "/model — the model the assistant uses"],
  [null, "/help — this list"],
];

/** The tools the policy does not refuse this sender outright (some may still need the owner's approval). */
export function toolsOf(config: GatewayConfig, message: InboundMessage): ToolName[] {
  return allowedTools(config.access.tools, toolUserOf(message));
}

/** Only the commands this sender may use, so /help never advertises what would be refused. */
export function helpText(config: GatewayConfig, message: InboundMessage): string {
  const tools = toolsOf(config, message);
  const lines = COMMANDS.filter(([tool]) => tool === null || tools.includes(tool)).map(([, line]) => line);
  return ["Drawbridge commands:", ...lines].join("\n");
}

export function whoamiText(config: GatewayConfig, message: InboundMessage, session: SessionKey): string {
  const tools = toolsOf(config, message);
  return [
    `You are ${message.senderKey} on ${message.channel}${message.chat === "group" ? ` (in group ${message.chatId})` : ""}.`,
    `Role: ${message.role}`,
    `Session: ${session}`,
    `Tools you may use: ${tools.length > 0 ? tools.join(", ") : "none"}`,
  ].join("\n");
}

/** The same hub status the admin API's /api/status reads, for each runner this sender's tools go to (failover runners included). */
export async function statusText(env: Env, config: GatewayConfig, message: InboundMessage, session: SessionKey): Promise<string> {
  const routes = TOOL_NAMES.map((tool) => routeFor(config.access.runners, config.defaultRunner, session, tool));
  const runners = [...new Set(routes.flatMap((route) => [route.runner, ...route.fallbacks]))];
  const lines = await Promise.all(
    runners.map(async (runner) => {
      const status = await retryOnce(() => hubStub(env, runner).status(runner));
      const state = status.connected ? "🟢 online" : status.registered ? "🔴 offline" : "⚪ not registered";
      return [`Home runner ${runner}: ${state}`, `Queued calls: ${status.queueDepth} waiting, ${status.inFlight} running`];
    }),
  );
  const usage = await usageLine(env, config, message, session);
  return [...lines.flat(), `Your role: ${message.role}`, ...(usage ? [usage] : [])].join("\n");
}
