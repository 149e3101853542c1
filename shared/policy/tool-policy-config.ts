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

const Selectors = z
  .array(ToolSelector)
  .max(32)
  .describe('Tool names and groups, e.g. ["read", "group:fs"]; unknown or disguised names are refused.');

/**
 * A layer's exec settings. Omitted security means "allowlist" when patterns are given, else "full"
 * (no narrowing); omitted ask is the broader layer's (global: "off"). See exec-allowlist.ts for patterns.
 */
const ExecLayer = z
  .object({
    security: ExecSecurity.optional().describe(
      '"deny": no command; "allowlist": only commands the allowlist admits; "full": any command. Omitted: "allowlist" when patterns are given, else no narrowing.',
    ),
    ask: ExecAsk.optional().describe(
      '"off": a command the allowlist refuses is denied; "on-miss": the owner is asked about it instead; "always": the owner is asked about every command. Omitted: the broader layer\'s.',
    ),
    allowlist: z.array(ExecPattern).max(64).optional().describe('Command patterns this layer admits, e.g. "git status" or "npm test *".'),
  })
  .strict();
export type ExecLayer = z.output<typeof ExecLayer>;

/** One narrowing layer (per role or per sender). Omitted fields do not narrow. */
const Layer = z
  .object({
    profile: Profile.optional().describe('A narrower profile for this layer: "minimal", "messaging", "coding" or "full".'),
    /** If set, only these tools (and groups); `[]` = none. */
    allow: Selectors.optional().describe("If set, only these tools (and groups); [] = none."),
    deny: Selectors.default([]).describe("Tools (and groups) this layer refuses; deny wins."),
    exec: ExecLayer.prefault({}).describe("This layer's exec settings; they may only make the broader ones stricter."),
  })
  .strict();
export type ToolLayer = z.output<typeof Layer>;

/** A role's layer with its own secure defaults, so overriding one field keeps the others. */
function roleLayer(defaults: { profile?: Profile; exec?: ExecLayer }) {
  // The fields keep their meaning with a role's default, so each takes the plain layer's description.
  const described = <T extends z.ZodType>(schema: T, like: z.ZodType): T => schema.describe(like.description ?? "");
  const layer = Layer.shape;
  const exec = ExecLayer.shape;
  return Layer.extend({
    profile: described(defaults.profile ? Profile.default(defaults.profile) : Profile.optional(), layer.profile),
    exec: described(
      ExecLayer.extend({
        security: described(
          defaults.exec?.security ? ExecSecurity.default(defaults.exec.security) : ExecSecurity.optional(),
          exec.security,
        ),
        ask: described(defaults.exec?.ask ? ExecAsk.default(defaults.exec.ask) : ExecAsk.optional(), exec.ask),
        allowlist: described(
          defaults.exec?.allowlist
            ? z.array(ExecPattern).max(64).default(defaults.exec.allowlist)
            : z.array(ExecPattern).max(64).optional(),
          exec.allowlist,
        ),
      }).prefault({}),
      layer.exec,
    ),
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
    profile: Profile.default("coding").describe(
      'Tool profile for everyone, narrowest first: "minimal" (no tools), "messaging" (no runner tool), "coding" (files and sandboxed exec), "full" (everything, including elevated exec where allowed).',
    ),
    /** If set, only these tools (and groups) for everyone. */
    allow: Selectors.optional().describe("If set, only these tools (and groups) for everyone."),
    deny: Selectors.default([]).describe("Tools (and groups) nobody may use; deny wins."),
    /** Global exec settings (omitted: security full, ask off); roles and senders may only make them stricter. */
    exec: ExecLayer.prefault({}).describe(
      'Global exec settings (omitted: security "full", ask "off"); roles and senders may only make them stricter.',
    ),
    roles: z
      .object({
        owner: roleLayer({}).describe("The owner's layer: by default any command without asking."),
        trusted: roleLayer({ exec: { security: "allowlist", ask: "on-miss", allowlist: [] } }).describe(
          "Trusted senders' layer: by default allowlisted commands (none), and the owner is asked about every other.",
        ),
        limited: roleLayer({ profile: "messaging" }).describe('Limited senders\' layer: by default profile "messaging", no runner tool.'),
      })
      .strict()
      .prefault({})
      .describe("Each role's layer, applied after the global settings; blocked senders get nothing."),
    /** Per-sender layers keyed by numeric channel id, applied after the role. */
    senders: z.record(SenderId, Layer).default({}).describe("Per-sender layers keyed by sender id, applied after the role."),
    /** Elevated (host, unsandboxed) exec: off by default; also needs the `full` profile and the runner's floor. */
    elevated: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Allow elevated exec at all (it also needs the "full" profile and the runner\'s floor).'),
        /** "always": the owner approves every elevated exec, whatever the exec allowlists say. */
        ask: z
          .enum(["always", "off"])
          .default("always")
          .describe('"always": the owner approves every elevated exec, whatever the exec allowlists say.'),
      })
      .strict()
      .prefault({})
      .describe("Elevated (host, unsandboxed) exec: off by default; also needs the full profile and the runner's floor."),
    /** How long an owner's approval request stays open; unanswered = denied. */
    approvalTtlMinutes: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(5)
      .describe("How long an owner's approval request stays open; unanswered = denied."),
    /** Pending approvals one session may hold; beyond it a new ask is refused and the owner is not pinged. */
    maxPendingApprovals: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(5)
      .describe("Pending approvals one session may hold; beyond it a new ask is refused and the owner is not pinged."),
  })
  .strict();
export type ToolPolicyConfig = z.output<typeof ToolPolicyConfig>;
