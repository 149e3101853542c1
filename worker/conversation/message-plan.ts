import type { Role } from "../../shared/access/roles.js";
import type { ToolDecision } from "../../shared/policy/decide-tool.js";
import type { ToolName, ToolRequest } from "../../shared/tools/tool-call.js";
import type { GatewayConfig } from "../config.js";
import { decideToolFor } from "../policy/tool-decision.js";
import { commandCall, parseCommand, toolOf, type ChatCommand } from "./commands.js";

/**
 * What a message asks for, parsed and judged once. The Gatekeeper makes the plan (it picks the
 * rate-limit bucket and audits a refusal from it) and hands it to the handler, which acts on the
 * same answer instead of parsing and deciding again.
 */
export type MessagePlan =
  | { kind: "tool"; tool: ToolName; request: ToolRequest; label: string; decision: ToolDecision }
  | { kind: "usage"; text: string }
  | { kind: "edge"; command: Exclude<ChatCommand, { kind: "run" | "read" | "write" | "ls" }> };

export function planMessage(config: GatewayConfig, message: { role: Role; senderKey: string; text: string }): MessagePlan {
  const command = parseCommand(message.text);
  const call = commandCall(command);
  const tool = toolOf(command);
  if (call?.kind === "usage") return { kind: "usage", text: call.text };
  if (call && tool) {
    return { kind: "tool", tool, request: call.request, label: call.label, decision: decideToolFor(config, message, call.request) };
  }
  // commandCall answers every tool command with a call or its usage, so what is left is answered at the edge.
  if (command.kind === "run" || command.kind === "read" || command.kind === "write" || command.kind === "ls") {
    throw new Error(`no call for /${command.kind}`);
  }
  return { kind: "edge", command };
}
