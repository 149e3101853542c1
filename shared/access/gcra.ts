import { z } from "zod";

/** A limit as people say it: so many per minute on average, bursts of up to `burst`. */
export const RateRule = z
  .object({
    perMinute: z.number().positive().max(100_000).describe("The average allowed, per minute."),
    burst: z.number().int().min(1).max(10_000).describe("How many may come at once before the average applies."),
  })
  .strict()
  .describe("A limit: perMinute on average, bursts of up to burst.");
export type RateRule = z.infer<typeof RateRule>;

export type GcraResult = { allowed: true; tat: number } | { allowed: false; tat: number; retryAfterMs: number };

/**
 * Generic cell rate algorithm (a token bucket kept as one number, the theoretical arrival
 * time): `burst` requests at once, then one every 60 000 / perMinute ms.
 * `tat` is null for a sender never seen. Pure, so the Durable Object only stores the number.
 */
export function gcra(rule: RateRule, tat: number | null, now: number): GcraResult {
  const interval = 60_000 / rule.perMinute;
  const tolerance = interval * (rule.burst - 1);
  const start = Math.max(tat ?? now, now);
  if (start - now > tolerance) return { allowed: false, tat: start, retryAfterMs: Math.ceil(start - now - tolerance) };
  return { allowed: true, tat: start + interval };
}
