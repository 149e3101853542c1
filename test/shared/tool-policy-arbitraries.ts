import fc from "fast-check";
import type { Role } from "../../shared/access/roles.js";
import type { ToolUser } from "../../shared/policy/decide-tool.js";
import { EXEC_ASK } from "../../shared/policy/tool-policy-config.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";

/** Generators for tool policy configs (as written in DRAWBRIDGE_ACCESS.tools), users and requests. */

export const SELECTORS = ["exec", "read", "write", "edit", "ls", "group:runtime", "group:fs", "EXEC", "Group:FS", "Ls"];
export const PATTERNS = ["git status", "git log *", "ls *", "echo *", "cat *.md", "printf"];
export const COMMANDS = [
  "git status",
  "git log --oneline",
  "ls -la",
  "echo 'a;b'",
  "cat notes.md",
  "printf",
  "git push",
  "git status; id",
  "ls && id",
  'echo "$(id)"',
  "echo `id`",
  "git status\nid",
  "ls | sh",
];
export const SENDER_IDS = ["1", "2"];

/** Mostly `undefined` (no narrowing), so that generated policies still let things through often enough to matter. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, weight = 1, absent = 2): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary, weight });
}
const selectors = fc.uniqueArray(fc.constantFrom(...SELECTORS), { maxLength: 3 });
const profile = fc.oneof(fc.constantFrom("minimal", "messaging"), { arbitrary: fc.constantFrom("coding", "full"), weight: 4 });

const execSettings = fc.record({
  security: sometimes(fc.oneof(fc.constant("deny"), { arbitrary: fc.constantFrom("allowlist", "full"), weight: 4 })),
  ask: sometimes(fc.constantFrom(...EXEC_ASK), 2),
  allowlist: sometimes(fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 4 }), 2),
});
/** Half the layers say nothing about exec. */
export const execLayerInput = fc.oneof(fc.constant({}), execSettings);

export const layerInput = fc.record({
  profile: sometimes(profile),
  allow: sometimes(selectors, 1, 5),
  deny: sometimes(selectors, 1, 5),
  exec: execLayerInput,
});

export type LayerInput = {
  profile?: string | undefined;
  allow?: string[] | undefined;
  deny?: string[] | undefined;
  exec?: { security?: string | undefined; ask?: string | undefined; allowlist?: string[] | undefined };
};
export type PolicyInput = LayerInput & {
  roles?: { owner?: LayerInput; trusted?: LayerInput; limited?: LayerInput };
  senders?: Record<string, LayerInput>;
  elevated?: { enabled?: boolean; ask?: string };
};

export const policyInput: fc.Arbitrary<PolicyInput> = fc.record({
  profile: sometimes(profile, 3),
  allow: sometimes(selectors, 1, 5),
  deny: sometimes(selectors, 1, 5),
  exec: execLayerInput,
  roles: fc.record({ owner: layerInput, trusted: layerInput, limited: layerInput }, { requiredKeys: [] }),
  senders: fc.dictionary(fc.constantFrom(...SENDER_IDS), layerInput, { maxKeys: 2 }),
  elevated: fc.record({ enabled: fc.boolean(), ask: fc.constantFrom("always", "off") }, { requiredKeys: [] }),
});

export const user: fc.Arbitrary<ToolUser> = fc.record({
  role: fc.oneof({ arbitrary: fc.constantFrom<Role>("owner", "trusted"), weight: 3 }, fc.constantFrom<Role>("limited", "blocked")),
  senderId: fc.constantFrom(...SENDER_IDS, null),
});

export const request: fc.Arbitrary<ToolRequest> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      tool: fc.constant("exec" as const),
      args: fc.record({
        command: fc.constantFrom(...COMMANDS),
        elevated: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, fc.constant(true)),
      }),
    }),
  },
  fc.constant<ToolRequest>({ tool: "read", args: { path: "notes.md" } }),
  fc.constant<ToolRequest>({ tool: "write", args: { path: "notes.md", content: "x" } }),
  fc.constant<ToolRequest>({ tool: "edit", args: { path: "notes.md", oldText: "x", newText: "y" } }),
  fc.constant<ToolRequest>({ tool: "ls", args: {} }),
);

/** Where a narrowing goes: the global layer, a role's layer or a sender's. */
export const target = fc.oneof(
  fc.constant({ kind: "global" as const }),
  fc.record({ kind: fc.constant("role" as const), role: fc.constantFrom("owner" as const, "trusted" as const, "limited" as const) }),
  fc.record({ kind: fc.constant("sender" as const), id: fc.constantFrom(...SENDER_IDS) }),
);
export type Target = typeof target extends fc.Arbitrary<infer T> ? T : never;

/** A deep copy of the input with `change` applied to the targeted layer (created empty if absent). */
export function withLayer(input: PolicyInput, where: Target, change: (layer: LayerInput) => LayerInput): PolicyInput {
  const copy: PolicyInput = structuredClone(input);
  if (where.kind === "global") {
    const { roles, senders, elevated, ...global } = copy;
    return { ...change(global), ...(roles ? { roles } : {}), ...(senders ? { senders } : {}), ...(elevated ? { elevated } : {}) };
  }
  if (where.kind === "role") {
    copy.roles = { ...copy.roles, [where.role]: change(copy.roles?.[where.role] ?? {}) };
    return copy;
  }
  copy.senders = { ...copy.senders, [where.id]: change(copy.senders?.[where.id] ?? {}) };
  return copy;
}

export const RANK = { deny: 0, ask: 1, allow: 2 } as const;
