import { z } from "zod";

/** A day's allowance of model steps and tokens (the provider's usage figures) for one sender. */
export const Budget = z
  .object({
    steps: z.number().int().min(0).max(100_000).describe("Model calls a day."),
    tokens: z.number().int().min(0).max(100_000_000).describe("Tokens a day, as the provider counts them."),
  })
  .strict();
export type Budget = z.infer<typeof Budget>;

/**
 * How an assistant turn is bounded. The caps keep a manipulated model's blast radius small:
 * few steps, a deadline (approval waits excluded), and little tool output going back to it.
 */
export const AssistantConfig = z
  .object({
    /** Model calls in one turn; a model still asking for tools after this many is stopped. */
    maxSteps: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(8)
      .describe("Model calls in one turn; a model still asking for tools after this many is stopped."),
    /** Wall time of a turn, not counting time spent waiting for the owner's approval. */
    turnMinutes: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(5)
      .describe("Wall time of a turn, not counting time spent waiting for the owner's approval."),
    /** How long one model call may take before the sender is told it timed out. */
    modelTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(600)
      .default(60)
      .describe("How long one model call may take before the sender is told it timed out."),
    /** Bytes of one tool result shown to the model (clipped with a visible marker). */
    toolResultBytes: z
      .number()
      .int()
      .min(256)
      .max(262_144)
      .default(16_384)
      .describe("Bytes of one tool result shown to the model (clipped with a visible marker)."),
    /** Bytes of tool output shown to the model in one turn, all results together. */
    turnToolBytes: z
      .number()
      .int()
      .min(1024)
      .max(1_048_576)
      .default(65_536)
      .describe("Bytes of tool output shown to the model in one turn, all results together."),
    /** The conversation kept per session: at most this many messages and bytes (oldest dropped first). */
    historyMessages: z
      .number()
      .int()
      .min(0)
      .max(500)
      .default(40)
      .describe("Messages of conversation kept per session (oldest dropped first)."),
    historyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1_048_576)
      .default(65_536)
      .describe("Bytes of conversation kept per session (oldest dropped first)."),
    /** The owner's own words for the system instructions (appended after Drawbridge's). */
    instructions: z
      .string()
      .max(4000)
      .default("")
      .describe("The owner's own words for the system instructions (appended after Drawbridge's)."),
    /** Per sender per day (UTC), by role. */
    budgets: z
      .object({
        owner: Budget.default({ steps: 2000, tokens: 5_000_000 }).describe("The owner's daily allowance."),
        trusted: Budget.default({ steps: 300, tokens: 1_000_000 }).describe("Each trusted sender's daily allowance."),
        limited: Budget.default({ steps: 40, tokens: 100_000 }).describe("Each limited sender's daily allowance."),
      })
      .strict()
      .prefault({})
      .describe("Model steps and tokens per sender per day (UTC), by role."),
  })
  .strict();
export type AssistantConfig = z.output<typeof AssistantConfig>;
