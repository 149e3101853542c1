import type { Role } from "../access/roles.js";
import { TOOL_NAMES, type ToolName } from "../tools/tool-call.js";
import { resolveToolSelector } from "./tool-names.js";
import { PROFILES, type ExecLayer, type ExecSecurity, type Profile, type ToolLayer, type ToolPolicyConfig } from "./tool-policy-config.js";

/** The person asking for a tool: their role and numeric channel id (null on the console). */
export type ToolUser = { role: Role; senderId: string | null };

/** One layer with the words a refusal uses for it. */
export type NamedLayer = { label: string; layer: ToolLayer };

const PROFILE_TOOLS: Record<Profile, readonly ToolName[]> = {
  minimal: [],
  // "No tools that touch the runner" — and every Drawbridge tool runs on the runner.
  messaging: [],
  coding: TOOL_NAMES,
  full: TOOL_NAMES,
};

/** The layers that apply to this user, broadest first: global, role, sender. `blocked` has no layers (and no tools). */
export function layersFor(policy: ToolPolicyConfig, who: ToolUser): NamedLayer[] {
  if (who.role === "blocked") return [];
  const layers: NamedLayer[] = [
    {
      label: "the gateway's tool policy",
      layer: { profile: policy.profile, allow: policy.allow, deny: policy.deny, exec: policy.exec },
    },
    { label: `your role (${who.role})`, layer: policy.roles[who.role] },
  ];
  const own = who.senderId === null ? undefined : policy.senders[who.senderId];
  if (own) layers.push({ label: "your own tool settings", layer: own });
  return layers;
}

function covers(selectors: readonly string[], tool: ToolName): boolean {
  return selectors.some((raw) => {
    const resolved = resolveToolSelector(raw);
    return resolved.ok && resolved.tools.includes(tool);
  });
}

/** Why the first layer that excludes the tool excludes it, or null when every layer lets it through. */
export function toolRefusal(layers: readonly NamedLayer[], tool: ToolName): string | null {
  for (const { label, layer } of layers) {
    if (covers(layer.deny, tool)) return `${tool} is denied by ${label}.`;
    if (layer.allow !== undefined && !covers(layer.allow, tool)) return `${tool} is not in the tools allowed by ${label}.`;
    if (layer.profile !== undefined && !PROFILE_TOOLS[layer.profile].includes(tool)) {
      return `${tool} is not part of the "${layer.profile}" tool profile of ${label}.`;
    }
  }
  return null;
}

export function layerSecurity(exec: ExecLayer): ExecSecurity {
  return exec.security ?? (exec.allowlist !== undefined ? "allowlist" : "full");
}

export type Strictest<T> = { value: T; label: string };

/** The narrowest profile over the layers; elevated exec needs it to be `full`. */
export function narrowestProfile(layers: readonly NamedLayer[]): Strictest<Profile> {
  const rank = (layer: ToolLayer) => (layer.profile === undefined ? PROFILES.length - 1 : PROFILES.indexOf(layer.profile));
  return strictest(layers, rank, PROFILES, "min", "minimal");
}

function strictest<T>(
  layers: readonly NamedLayer[],
  rank: (layer: ToolLayer) => number,
  scale: readonly T[],
  pick: "min" | "max",
  none: T,
): Strictest<T> {
  let best: { rank: number; label: string } | null = null;
  for (const { label, layer } of layers) {
    const r = rank(layer);
    if (best === null || (pick === "min" ? r < best.rank : r > best.rank)) best = { rank: r, label };
  }
  if (best === null) return { value: none, label: "no layer" };
  return { value: scale[best.rank] ?? none, label: best.label };
}
