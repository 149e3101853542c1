import { TOOL_NAMES, type ToolName } from "../tools/tool-call.js";

/** Named sets of tools a config entry may use instead of listing tools one by one. */
export const TOOL_GROUPS = {
  "group:runtime": ["exec"],
  "group:fs": ["read", "write", "edit", "ls"],
} as const satisfies Record<string, readonly ToolName[]>;
export type ToolGroup = keyof typeof TOOL_GROUPS;

export type NameCheck = { ok: true; name: string } | { ok: false; why: string };

/**
 * The canonical (lower-case ASCII) form of a tool or group name as written in config, or why it is
 * refused. Names compare case-insensitively after NFKC; anything that only looks like a name is
 * refused rather than folded: surrounding spaces, invisible (format) characters, compatibility
 * forms NFKC would rewrite (full-width "ｅｘｅｃ", ligatures, the Kelvin sign) and any non-ASCII
 * character left after NFKC (Cyrillic "е", Greek "ο"). A disguised name never matches a tool.
 */
export function canonicalToolName(raw: string): NameCheck {
  if (raw.length === 0) return { ok: false, why: "the name is empty" };
  if (raw !== raw.trim()) return { ok: false, why: "it has spaces around it" };
  const invisible = /[\p{Cf}\p{Zl}\p{Zp}\p{Cc}]/u.exec(raw);
  if (invisible) return { ok: false, why: `it contains an invisible character (${codePoint(invisible[0])})` };
  const normalised = raw.normalize("NFKC");
  if (normalised !== raw)
    return { ok: false, why: `it uses a look-alike form of "${normalised}" (full-width or compatibility characters)` };
  const foreign = /[^\x21-\x7e]/u.exec(raw);
  if (foreign) return { ok: false, why: `it contains a non-ASCII look-alike character (${codePoint(foreign[0])})` };
  return { ok: true, name: raw.toLowerCase() };
}

/** The tool a raw name denotes, or null for unknown and disguised names (groups are not tools). */
export function matchToolName(raw: string): ToolName | null {
  const check = canonicalToolName(raw);
  if (!check.ok) return null;
  return TOOL_NAMES.find((tool) => tool === check.name) ?? null;
}

/** The tools a config entry (tool or group name) stands for, or why the entry is refused. */
export function resolveToolSelector(raw: string): { ok: true; selector: string; tools: readonly ToolName[] } | { ok: false; why: string } {
  const check = canonicalToolName(raw);
  if (!check.ok) return { ok: false, why: `unknown tool ${JSON.stringify(raw)}: ${check.why}` };
  const tool = TOOL_NAMES.find((t) => t === check.name);
  if (tool) return { ok: true, selector: tool, tools: [tool] };
  const group = Object.entries(TOOL_GROUPS).find(([name]) => name === check.name);
  if (group) return { ok: true, selector: group[0], tools: group[1] };
  return {
    ok: false,
    why: `unknown tool ${JSON.stringify(raw)} (tools: ${TOOL_NAMES.join(", ")}; groups: ${Object.keys(TOOL_GROUPS).join(", ")})`,
  };
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}
