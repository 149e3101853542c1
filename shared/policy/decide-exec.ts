import type { ToolRequest } from "../tools/tool-call.js";
import { matchesAllowlist } from "./exec-allowlist.js";
import { layerSecurity, narrowestProfile, type NamedLayer } from "./policy-layers.js";
import { parseCommand, quoteCommand, type ParsedCommand } from "./shell-words.js";
import type { ExecAsk, ExecSecurity, ToolPolicyConfig } from "./tool-policy-config.js";

export type ToolDecision =
  { kind: "allow"; request: ToolRequest } | { kind: "ask"; request: ToolRequest; reason: string } | { kind: "deny"; reason: string };

type ExecRequest = Extract<ToolRequest, { tool: "exec" }>;
type Verdict = { kind: "allow" } | { kind: "ask" | "deny"; reason: string };
/** One layer as exec sees it: its security, its allowlist and its ask (omitted ask = the broader layer's). */
type ExecJudge = { label: string; security: ExecSecurity; allowlist: readonly string[]; ask: ExecAsk };

const RANK = { deny: 0, ask: 1, allow: 2 } as const;

/** What the runner reports about itself; when unknown, the edge decides its own gates and the runner's floor re-checks. */
export type RunnerFloor = { elevatedAllowed: boolean };

/**
 * Elevated (host, unsandboxed) exec needs BOTH gates: the edge config (`tools.elevated.enabled`)
 * and the runner's own floor (`elevated.allowed`). Either one alone never suffices.
 */
export function elevatedAllowed(edge: boolean, floor: boolean): boolean {
  return edge && floor;
}

/** Each layer's exec settings, with an omitted ask inherited from the broader layer (the global default is "off"). */
export function execJudges(layers: readonly NamedLayer[]): ExecJudge[] {
  let ask: ExecAsk = "off";
  return layers.map(({ label, layer }) => {
    ask = layer.exec.ask ?? ask;
    return { label, security: layerSecurity(layer.exec), allowlist: layer.exec.allowlist ?? [], ask };
  });
}

/**
 * exec after the tool itself passed every layer. Every layer judges the command on its own —
 * security "deny" refuses; a command it admits (security "full", or an allowlist match) is allowed,
 * or asked with ask "always"; a command it refuses is asked with "on-miss"/"always", denied with
 * "off" — and the strictest verdict wins, the first layer to give it naming the reason. So adding a
 * layer never widens, and one layer's "on-miss" never reopens what another layer refused.
 */
export function decideExec(
  policy: ToolPolicyConfig,
  layers: readonly NamedLayer[],
  request: ExecRequest,
  floor?: RunnerFloor,
): ToolDecision {
  const judges = execJudges(layers);
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
    judges.push({ label: "the gateway's elevated exec setting", security: "full", allowlist: [], ask: policy.elevated.ask });
  }
  const parsed = parseCommand(request.args.command);
  let verdict: Verdict = { kind: "allow" };
  for (const judge of judges) {
    const own = judgeCommand(judge, parsed);
    if (RANK[own.kind] < RANK[verdict.kind]) verdict = own;
    if (verdict.kind === "deny") return deny(verdict.reason);
  }
  // Where an allowlist took part, what runs is the argv it saw, re-quoted for `sh -c`.
  const requote = parsed.simple && judges.some((judge) => judge.security === "allowlist");
  const toRun: ExecRequest = requote ? { tool: "exec", args: { ...request.args, command: quoteCommand(parsed.argv) } } : request;
  return verdict.kind === "allow" ? { kind: "allow", request: toRun } : { kind: "ask", request: toRun, reason: verdict.reason };
}

function judgeCommand(judge: ExecJudge, parsed: ParsedCommand): Verdict {
  const { label } = judge;
  if (judge.security === "deny") return deny(`exec is turned off (exec security "deny") by ${label}.`);
  const admitted = judge.security === "full" || (parsed.simple && matchesAllowlist(judge.allowlist, parsed.argv));
  if (admitted)
    return judge.ask === "always"
      ? { kind: "ask", reason: `${capitalise(label)} asks the owner before every command.` }
      : { kind: "allow" };
  const miss = parsed.simple
    ? `"${parsed.argv.join(" ")}" is not on the exec allowlist of ${label}`
    : `The command is not a simple command (${parsed.reason}), so no exec allowlist entry of ${label} can match it`;
  if (judge.ask === "off") return deny(`${capitalise(miss)}, and the owner is not asked (exec ask "off").`);
  return { kind: "ask", reason: `${capitalise(miss)}; the owner can approve it.` };
}

/** Whether no exec at all can get past the layers (so /help need not offer /run). */
export function execDeniedOutright(layers: readonly NamedLayer[]): boolean {
  return execJudges(layers).some(
    (judge) => judge.security === "deny" || (judge.security === "allowlist" && judge.allowlist.length === 0 && judge.ask === "off"),
  );
}

function deny(reason: string): { kind: "deny"; reason: string } {
  return { kind: "deny", reason };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
