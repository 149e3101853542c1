import { z } from "zod";
import { SenderId } from "../access/roles.js";
import { ExecPattern } from "./exec-allowlist.js";
import { resolveToolSelector } from "./tool-names.js";

/**
 * Tool profiles, narrowest first: `minimal` no tools; `messaging` no tool that touches the runner
 * (today: none either); `coding` group:fs + group:runtime (sandboxed exec); `full` everything,
 * including elevated (host) exec where tools.elevated and the runner's floor allow it.
 */
export const PROFILES = ["minimal", "messaging", "coding", "full"] as const;
export const Profile = z.enum(PROFILES);
export type Profile = z.infer<typeof Profile>;

/** exec security, strictest first: never, only allowlisted commands, any command. */
export const EXEC_SECURITY = ["deny", "allowlist", "full"] as const;
export const ExecSecurity = z.enum(EXEC_SECURITY);
export type ExecSecurity = z.infer<typeof ExecSecurity>;

/**
 * What a layer does about a command: `off` — a command its allowlist refuses is denied; `on-miss` —
 * the owner is asked about it instead; `always` — the owner is asked even about commands it admits.
 */
export const EXEC_ASK = ["off", "on-miss", "always"] as const;
export const ExecAsk = z.enum(EXEC_ASK);
export type ExecAsk = z.infer<typeof ExecAsk>;

/** A tool name or group as written in config, stored in canonical form; unknown or disguised names are refused. */
export const ToolSelector = z.string().transform((raw, context) => {
  const resolved = resolveToolSelector(raw);
  if (resolved.ok) return resolved.selector;
  context.addIssue({ code: "custom", message: resolved.why });
  return z.NEVER;
});

const Selectors = z.array(ToolSelector).max(32);

/**
 * A layer's exec settings. Omitted security means "allowlist" when patterns are given, else "full"
 * (no narrowing); omitted ask is the broader layer's (global: "off"). See exec-allowlist.ts for patterns.
 */
const ExecLayer = z
  .object({
    security: ExecSecurity.optional(),
    ask: ExecAsk.optional(),
    allowlist: z.array(ExecPattern).max(64).optional(),
  })
  .strict();
export type ExecLayer = z.output<typeof ExecLayer>;

/** One narrowing layer (per role or per sender). Omitted fields do not narrow. */
const Layer = z
  .object({
    profile: Profile.optional(),
    /** If set, only these tools (and groups); `[]` = none. */
    allow: Selectors.optional(),
    deny: Selectors.default([]),
    exec: ExecLayer.prefault({}),
  })
  .strict();
export type ToolLayer = z.output<typeof Layer>;

/** A role's layer with its own secure defaults, so overriding one field keeps the others. */
function roleLayer(defaults: { profile?: Profile; exec?: ExecLayer }) {
  return Layer.extend({
    profile: defaults.profile ? Profile.default(defaults.profile) : Profile.optional(),
    exec: ExecLayer.extend({
      security: defaults.exec?.security ? ExecSecurity.default(defaults.exec.security) : ExecSecurity.optional(),
      ask: defaults.exec?.ask ? ExecAsk.default(defaults.exec.ask) : ExecAsk.optional(),
      allowlist: defaults.exec?.allowlist
        ? z.array(ExecPattern).max(64).default(defaults.exec.allowlist)
        : z.array(ExecPattern).max(64).optional(),
    }).prefault({}),
  }).prefault({});
}

/**
 * What each sender may run, in layers that only ever narrow: the profile and global allow/deny,
 * then the sender's role, then the sender's own entry. Deny wins. Defaults: profile `coding`;
 * owner runs any command without asking; trusted runs allowlisted commands (none by default) and
 * the owner is asked about every other; limited reaches no runner tool; blocked gets nothing.
 */
export const ToolPolicyConfig = z
  .object({
    profile: Profile.default("coding"),
    /** If set, only these tools (and groups) for everyone. */
    allow: Selectors.optional(),
    deny: Selectors.default([]),
    /** Global exec settings (omitted: security full, ask off); roles and senders may only make them stricter. */
    exec: ExecLayer.prefault({}),
    roles: z
      .object({
        owner: roleLayer({}),
        trusted: roleLayer({ exec: { security: "allowlist", ask: "on-miss", allowlist: [] } }),
        limited: roleLayer({ profile: "messaging" }),
      })
      .strict()
      .prefault({}),
    /** Per-sender layers keyed by numeric channel id, applied after the role. */
    senders: z.record(SenderId, Layer).default({}),
    /** Elevated (host, unsandboxed) exec: off by default; also needs the `full` profile and the runner's floor. */
    elevated: z
      .object({
        enabled: z.boolean().default(false),
        /** "always": the owner approves every elevated exec, whatever the exec allowlists say. */
        ask: z.enum(["always", "off"]).default("always"),
      })
      .strict()
      .prefault({}),
    /** How long an owner's approval request stays open; unanswered = denied. */
    approvalTtlMinutes: z.number().int().min(1).max(60).default(5),
    /** Pending approvals one session may hold; beyond it a new ask is refused and the owner is not pinged. */
    maxPendingApprovals: z.number().int().min(1).max(50).default(5),
  })
  .strict();
export type ToolPolicyConfig = z.output<typeof ToolPolicyConfig>;
