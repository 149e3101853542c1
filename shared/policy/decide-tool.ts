import { TOOL_NAMES, type ToolName, type ToolRequest } from "../tools/tool-call.js";
import { decideExec, execDeniedOutright, type RunnerFloor, type ToolDecision } from "./decide-exec.js";
import { layersFor, toolRefusal, type ToolUser } from "./policy-layers.js";
import type { ToolPolicyConfig } from "./tool-policy-config.js";

export type { RunnerFloor, ToolDecision, ToolUser };
export { elevatedAllowed } from "./decide-exec.js";
export { matchToolName } from "./tool-names.js";

/**
 * Whether this request may run: `allow` (with the request that actually runs — an allowlisted
 * command comes back re-quoted from its parsed argv), `ask` (the owner must approve first) or
 * `deny` with a sentence the sender understands. Pure: no I/O, same answer at the edge and in tests.
 * `floor` is what the runner says about itself, when known; without it the runner's floor re-checks.
 */
export function decideTool(policy: ToolPolicyConfig, who: ToolUser, request: ToolRequest, floor?: RunnerFloor): ToolDecision {
  const tool: string = request.tool;
  if (!isToolName(tool)) return { kind: "deny", reason: `${JSON.stringify(tool)} is not a tool Drawbridge knows.` };
  if (who.role === "blocked") return { kind: "deny", reason: `${tool} is not available: blocked senders may not use any tool.` };
  const layers = layersFor(policy, who);
  const refusal = toolRefusal(layers, tool);
  if (refusal !== null) return { kind: "deny", reason: refusal };
  if (request.tool === "exec") return decideExec(policy, layers, request, floor);
  return { kind: "allow", request };
}

/** The tools this user is not denied outright (each may still need the owner's approval), in a stable order. */
export function allowedTools(policy: ToolPolicyConfig, who: ToolUser): ToolName[] {
  if (who.role === "blocked") return [];
  const layers = layersFor(policy, who);
  return TOOL_NAMES.filter((tool) => {
    if (toolRefusal(layers, tool) !== null) return false;
    return tool !== "exec" || !execDeniedOutright(layers);
  });
}

function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}
