import { decideTool, type ToolDecision, type ToolUser } from "../../shared/policy/decide-tool.js";
import type { Role } from "../../shared/access/roles.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import type { GatewayConfig } from "../config.js";

/** Who the policy judges: the role the gatekeeper gave, and the numeric id behind `<channel>:<id>`. */
export function toolUserOf(message: { role: Role; senderKey: string }): ToolUser {
  const id = /^[a-z]+:(-?\d{1,20})$/.exec(message.senderKey)?.[1];
  return { role: message.role, senderId: id ?? null };
}

/** The edge's one tool decision (DRAWBRIDGE_ACCESS.tools), for the call path and the gatekeeper's audit/limits alike. */
export function decideToolFor(config: GatewayConfig, message: { role: Role; senderKey: string }, request: ToolRequest): ToolDecision {
  return decideTool(config.access.tools, toolUserOf(message), request);
}
