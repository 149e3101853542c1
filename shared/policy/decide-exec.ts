import type { ToolRequest } from "../tools/tool-call.js";
import { matchesAllowlist } from "./exec-allowlist.js";
import { layerSecurity, narrowestProfile, strictestAsk, strictestSecurity, type NamedLayer } from "./policy-layers.js";
import { parseCommand, quoteCommand } from "./shell-words.js";
import { EXEC_ASK, type ToolPolicyConfig } from "./tool-policy-config.js";

export type ToolDecision =
  { kind: "allow"; request: ToolRequest } | { kind: "ask"; request: ToolRequest; reason: string } | { kind: "deny"; reason: string };

type ExecRequest = Extract<ToolRequest, { tool: "exec" }>;

/** What the runner reports about itself; when unknown, the edge decides its own gates and the runner's floor re-checks. */
export type RunnerFloor = { elevatedAllowed: boolean };

/**
 * Elevated (host, unsandboxed) exec needs BOTH gates: the edge config (`tools.elevated.enabled`)
 * and the runner's own floor (`elevated.allowed`). Either one alone never suffices.
 */
export function elevatedAllowed(edge: boolean, floor: boolean): boolean {
  return edge && floor;
}

/** exec after the tool itself passed every layer: elevated gates, then security, allowlist and ask. */
export function decideExec(
  policy: ToolPolicyConfig,
  layers: readonly NamedLayer[],
  request: ExecRequest,
  floor?: RunnerFloor,
): ToolDecision {
  let ask = strictestAsk(layers);
  if (request.args.elevated) {
    if (!policy.elevated.enabled) {
      return deny(
        "Elevated exec (on the home box, outside the sandbox) is turned off in the gateway's tool policy (tools.elevated.enabled).",
      );
    }
    const profile = narrowestProfile(layers);
    if (profile.value !== "full") return deny(`Elevated exec needs the "full" tool profile, but ${profile.label} has "${profile.value}".`);
    if (floor !== undefined && !elevatedAllowed(policy.elevated.enabled, floor.elevatedAllowed)) {
      return deny("Elevated exec is turned off on the home runner (its elevated.allowed setting).");
    }
    if (EXEC_ASK.indexOf(policy.elevated.ask) > EXEC_ASK.indexOf(ask.value)) {
      ask = { value: policy.elevated.ask, label: "the gateway's elevated exec setting" };
    }
  }
  const security = strictestSecurity(layers);
  if (security.value === "deny") return deny(`exec is turned off (exec security "deny") by ${security.label}.`);

  if (security.value === "full") {
    if (ask.value === "always") return asks(request, `${ask.label} asks the owner before every command.`);
    return { kind: "allow", request };
  }

  // Allowlist: the command must be simple, and every layer that narrows exec must admit its argv.
  const parsed = parseCommand(request.args.command);
  let miss: string;
  let toRun: ExecRequest = request;
  if (!parsed.simple) {
    miss = `the command is not a simple command (${parsed.reason}), so no exec allowlist entry can match it`;
  } else {
    toRun = { tool: "exec", args: { ...request.args, command: quoteCommand(parsed.argv) } };
    const refusing = layers.find(
      ({ layer }) => layerSecurity(layer.exec) === "allowlist" && !matchesAllowlist(layer.exec.allowlist ?? [], parsed.argv),
    );
    miss = refusing ? `"${parsed.argv.join(" ")}" is not on the exec allowlist of ${refusing.label}` : "";
  }
  if (miss === "") {
    if (ask.value === "always") return asks(toRun, `${ask.label} asks the owner before every command.`);
    return { kind: "allow", request: toRun };
  }
  if (ask.value === "off") return deny(`${capitalise(miss)}, and ${ask.label} does not ask the owner (exec ask "off").`);
  return asks(toRun, `${capitalise(miss)}; the owner can approve it.`);
}

function deny(reason: string): ToolDecision {
  return { kind: "deny", reason };
}

function asks(request: ExecRequest, reason: string): ToolDecision {
  return { kind: "ask", request, reason };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
