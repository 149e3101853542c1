import { z } from "zod";
import { AssistantConfig } from "../assistant/assistant-config.js";
import { RunnerRouting } from "../sessions/runner-routing.js";
import { SessionConfig } from "../sessions/session-config.js";
import { ToolPolicyConfig } from "../policy/tool-policy-config.js";
import { RateRule } from "./gcra.js";
import { ChatId, GrantableRole, SenderId } from "./roles.js";

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
    defaultRole: z
      .enum(["trusted", "limited"])
      .default("limited")
      .describe("The role a sender approved through pairing gets unless the owner picks another."),
    /** Live requests per channel account; more senders get no code and store nothing. */
    maxPending: z
      .number()
      .int()
      .min(1)
      .max(3)
      .default(3)
      .describe("Live pairing requests per channel account; more senders get no code and store nothing."),
    codeTtlMinutes: z.number().int().min(1).max(60).default(60).describe("How long a pairing code stays valid."),
    /**
     * "approve": the stranger is sent the code and the owner approves it. "challenge": the owner
     * is sent the code and hands it over; the stranger pairs by typing it.
     */
    mode: z
      .enum(["approve", "challenge"])
      .default("approve")
      .describe(
        '"approve": the stranger is sent the code and the owner approves it. "challenge": the owner is sent the code and hands it over; the stranger pairs by typing it.',
      ),
    /** Challenge mode: wrong codes per code and per sender (over 24 h) before the sender is blocked. */
    maxWrongAttempts: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(3)
      .describe("Challenge mode: wrong codes per code and per sender (over 24 h) before the sender is blocked."),
  })
  .strict();

const GroupConfig = z
  .object({
    policy: z
      .enum(["allowlist", "open", "disabled"])
      .default("allowlist")
      .describe('"allowlist": only the groups in allowChats; "open": any group the bot is in; "disabled": no group.'),
    /** Group chat ids (negative numbers in Telegram, C… channel ids in Slack) the bot serves under `allowlist`. */
    allowChats: z.array(ChatId).default([]).describe('Group chat ids the bot serves under "allowlist" (negative numbers in Telegram).'),
    /** Senders served inside groups besides the owner; "*" = every member. */
    allowFrom: z
      .array(AllowEntry)
      .default([])
      .describe('Senders served inside groups besides the owner, by sender id; "*" = every member.'),
    requireMention: z
      .boolean()
      .default(true)
      .describe("Answer in a group only when the message mentions the bot (or matches mentionPatterns)."),
    mentionPatterns: z
      .array(MentionPattern)
      .default([])
      .describe('Case-insensitive regular expressions that count as a mention, e.g. "@my_bot" or "\\bdrawbridge\\b".'),
  })
  .strict();

/** Per sender: messages, and tool calls (a command's, or each of an assistant turn's). */
const SenderLimits = (defaults: { message: RateRule; tool: RateRule }) =>
  z
    .object({
      message: RateRule.default(defaults.message).describe("Messages per sender."),
      tool: RateRule.default(defaults.tool).describe("Tool calls per sender: a command's, or each of an assistant turn's."),
    })
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
    message: RateRule.default({ perMinute: 20, burst: 10 }).describe(
      "Messages per limited sender (and trusted, unless trusted.message is set).",
    ),
    tool: RateRule.default({ perMinute: 6, burst: 3 }).describe("Tool calls per limited sender (and trusted, unless trusted.tool is set)."),
    trusted: z
      .object({
        message: RateRule.optional().describe("Messages per trusted sender; omitted: the limited senders' rule."),
        tool: RateRule.optional().describe("Tool calls per trusted sender; omitted: the limited senders' rule."),
      })
      .strict()
      .prefault({})
      .describe("Trusted senders' own limits."),
    owner: SenderLimits({ message: { perMinute: 120, burst: 60 }, tool: { perMinute: 60, burst: 20 } }).describe(
      "The owner's limits: generous, and the owner's own bucket, so nobody else's traffic can silence them.",
    ),
    /** One stranger's pairing attempts. */
    pairing: RateRule.default({ perMinute: 1, burst: 2 }).describe("One stranger's pairing attempts."),
    /** All strangers together: beyond it their messages are dropped unanswered. */
    strangers: RateRule.default({ perMinute: 30, burst: 10 }).describe(
      "All strangers together: beyond it their messages are dropped unanswered.",
    ),
    /** Every served sender but the owner together: protects the runner and the model, not the owner's control of the bot. */
    channel: RateRule.default({ perMinute: 120, burst: 60 }).describe(
      "Every served sender but the owner together: protects the runner and the model, not the owner's control of the bot.",
    ),
  })
  .strict();

/**
 * Who may talk to the bot on a channel account. Every field has the safe default: pairing for
 * DMs, allowlisted groups only, mentions required, rate limits on. Unknown keys are refused.
 */
export const AccessConfig = z
  .object({
    dmPolicy: z
      .enum(["pairing", "allowlist", "open", "disabled"])
      .default("pairing")
      .describe(
        'Who may DM the bot: "pairing" (a stranger gets a code the owner approves), "allowlist" (only allowFrom and approved senders), "open" (anyone; needs allowFrom ["*"]), "disabled" (only the owner).',
      ),
    /** DM senders served without pairing; "*" only together with dmPolicy "open". */
    allowFrom: z
      .array(AllowEntry)
      .default([])
      .describe('DM senders served without pairing, by sender id; "*" only together with dmPolicy "open".'),
    /** Roles fixed by config; `blocked` here always wins over an approval. */
    roles: z
      .record(SenderId, GrantableRole)
      .default({})
      .describe('Roles fixed by config, sender id → "trusted", "limited" or "blocked"; blocked here always wins over an approval.'),
    pairing: PairingConfig.prefault({}).describe('How strangers ask to be let in (dmPolicy "pairing").'),
    groups: GroupConfig.prefault({}).describe("Which groups the bot serves, and whom in them."),
    rateLimits: RateLimits.prefault({}).describe(
      "Buckets per sender and action, by role; strangers are limited before they cost anything.",
    ),
    /** Which tools each role and sender may use, exec allowlists and approvals (shared/policy). */
    tools: ToolPolicyConfig.prefault({}).describe(
      "Which tools each role and sender may use, exec allowlists and approvals (docs/tool-policy.md).",
    ),
    /** Which DMs share a session, and so a sandbox and workspace (shared/sessions). */
    sessions: SessionConfig.prefault({}).describe("Which DMs share a session, and so a sandbox and workspace."),
    /** Which runner serves a session or a tool when there are several (shared/sessions/runner-routing). */
    runners: RunnerRouting.prefault({}).describe("Which runner serves a session or a tool when there are several."),
    /** The assistant's caps per turn, its history and daily budgets (shared/assistant). */
    assistant: AssistantConfig.prefault({}).describe("The assistant's caps per turn, its history and daily budgets."),
    /** Messages to the owner: a runner offline this long (at most one alert per runner an hour). */
    alerts: z
      .object({
        runnerOfflineMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(5)
          .describe("Minutes a runner may be offline before the owner is told (and told again when it is back)."),
      })
      .strict()
      .prefault({})
      .describe("Messages to the owner about the gateway's health; at most one alert per runner an hour."),
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
