import { z } from "zod";
import { AssistantConfig } from "../assistant/assistant-config.js";
import { RunnerRouting } from "../sessions/runner-routing.js";
import { SessionConfig } from "../sessions/session-config.js";
import { ToolPolicyConfig } from "../policy/tool-policy-config.js";
import { RateRule } from "./gcra.js";
import { GrantableRole, SenderId } from "./roles.js";

const AllowEntry = z.union([SenderId, z.literal("*")]);

/** A case-insensitive pattern the bot answers to in groups, e.g. "@my_bot" or "\\bdrawbridge\\b". */
const MentionPattern = z
  .string()
  .min(1)
  .max(200)
  .refine((pattern) => {
    try {
      new RegExp(pattern, "iu");
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression");

const PairingConfig = z
  .object({
    /** The role a sender approved through pairing gets unless the owner picks another. */
    defaultRole: z.enum(["trusted", "limited"]).default("limited"),
    /** Live requests per channel account; more senders get no code and store nothing. */
    maxPending: z.number().int().min(1).max(3).default(3),
    codeTtlMinutes: z.number().int().min(1).max(60).default(60),
    /**
     * "approve": the stranger is sent the code and the owner approves it. "challenge": the owner
     * is sent the code and hands it over; the stranger pairs by typing it.
     */
    mode: z.enum(["approve", "challenge"]).default("approve"),
    /** Challenge mode: wrong codes per code and per sender (over 24 h) before the sender is blocked. */
    maxWrongAttempts: z.number().int().min(1).max(5).default(3),
  })
  .strict();

const GroupConfig = z
  .object({
    policy: z.enum(["allowlist", "open", "disabled"]).default("allowlist"),
    /** Group chat ids (negative numbers in Telegram) the bot serves under `allowlist`. */
    allowChats: z.array(SenderId).default([]),
    /** Senders served inside groups besides the owner; "*" = every member. */
    allowFrom: z.array(AllowEntry).default([]),
    requireMention: z.boolean().default(true),
    mentionPatterns: z.array(MentionPattern).default([]),
  })
  .strict();

/** Per sender: messages, and tool calls (a command's, or each of an assistant turn's). */
const SenderLimits = (defaults: { message: RateRule; tool: RateRule }) =>
  z
    .object({ message: RateRule.default(defaults.message), tool: RateRule.default(defaults.tool) })
    .strict()
    .prefault({});

/**
 * Buckets per sender and action, by role, so nobody else's traffic can silence the owner: the
 * owner's are generous and their own; strangers (who can only reach pairing) are limited per
 * sender and all together before they cost anything, and never touch the served senders' buckets.
 */
const RateLimits = z
  .object({
    /** Limited senders (and trusted ones, unless `trusted` says otherwise). */
    message: RateRule.default({ perMinute: 20, burst: 10 }),
    tool: RateRule.default({ perMinute: 6, burst: 3 }),
    trusted: z.object({ message: RateRule.optional(), tool: RateRule.optional() }).strict().prefault({}),
    owner: SenderLimits({ message: { perMinute: 120, burst: 60 }, tool: { perMinute: 60, burst: 20 } }),
    /** One stranger's pairing attempts. */
    pairing: RateRule.default({ perMinute: 1, burst: 2 }),
    /** All strangers together: beyond it their messages are dropped unanswered. */
    strangers: RateRule.default({ perMinute: 30, burst: 10 }),
    /** Every served sender but the owner together: protects the runner and the model, not the owner's control of the bot. */
    channel: RateRule.default({ perMinute: 120, burst: 60 }),
  })
  .strict();

/**
 * Who may talk to the bot on a channel account. Every field has the safe default: pairing for
 * DMs, allowlisted groups only, mentions required, rate limits on. Unknown keys are refused.
 */
export const AccessConfig = z
  .object({
    dmPolicy: z.enum(["pairing", "allowlist", "open", "disabled"]).default("pairing"),
    /** DM senders served without pairing; "*" only together with dmPolicy "open". */
    allowFrom: z.array(AllowEntry).default([]),
    /** Roles fixed by config; `blocked` here always wins over an approval. */
    roles: z.record(SenderId, GrantableRole).default({}),
    pairing: PairingConfig.prefault({}),
    groups: GroupConfig.prefault({}),
    rateLimits: RateLimits.prefault({}),
    /** Which tools each role and sender may use, exec allowlists and approvals (shared/policy). */
    tools: ToolPolicyConfig.prefault({}),
    /** Which DMs share a session, and so a sandbox and workspace (shared/sessions). */
    sessions: SessionConfig.prefault({}),
    /** Which runner serves a session or a tool when there are several (shared/sessions/runner-routing). */
    runners: RunnerRouting.prefault({}),
    /** The assistant's caps per turn, its history and daily budgets (shared/assistant). */
    assistant: AssistantConfig.prefault({}),
    /** Messages to the owner: a runner offline this long (at most one alert per runner an hour). */
    alerts: z
      .object({
        runnerOfflineMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(5),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, context) => {
    const wildcard = config.allowFrom.includes("*");
    if (config.dmPolicy === "open" && !wildcard) {
      context.addIssue({
        code: "custom",
        path: ["dmPolicy"],
        message: '"open" needs allowFrom to hold "*" (an explicit yes to anyone on the internet talking to the bot)',
      });
    }
    if (wildcard && config.dmPolicy !== "open") {
      context.addIssue({ code: "custom", path: ["allowFrom"], message: '"*" is only valid with dmPolicy "open"' });
    }
  });
export type AccessConfig = z.output<typeof AccessConfig>;

/**
 * Parses the access config as it is supplied (a JSON string in a var, or an object); "" or
 * absent means all defaults. Errors name the key path, e.g. `DRAWBRIDGE_ACCESS.dmPolicy`.
 */
export function parseAccessConfig(
  raw: unknown,
  key = "DRAWBRIDGE_ACCESS",
): { ok: true; config: AccessConfig } | { ok: false; message: string } {
  let value: unknown = raw ?? {};
  if (typeof value === "string") {
    if (value.trim() === "") value = {};
    else {
      try {
        value = JSON.parse(value);
      } catch {
        return { ok: false, message: `${key} is invalid: not valid JSON` };
      }
    }
  }
  const parsed = AccessConfig.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  const path = [key, ...(issue?.path ?? []).map(String)].join(".");
  return { ok: false, message: `${path} is invalid: ${issue?.message ?? "bad value"}` };
}
