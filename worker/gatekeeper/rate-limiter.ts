import { gcra, type RateRule } from "../../shared/access/gcra.js";

export type RateVerdict = { allowed: true } | { allowed: false; answer: boolean; retryAfterMs: number };

/**
 * GCRA buckets in the Gatekeeper's SQLite (strongly consistent, unlike the platform's rate
 * limit binding). A refusal is answered once; later refusals stay silent until the bucket
 * lets a request through again.
 */
export class RateLimiter {
  constructor(private readonly sql: SqlStorage) {}

  take(key: string, rule: RateRule, now: number): RateVerdict {
    const row = this.sql
      .exec<{ tat: number; refusal_answered: number }>("SELECT tat, refusal_answered FROM rate_buckets WHERE key = ?", key)
      .toArray()[0];
    const result = gcra(rule, row?.tat ?? null, now);
    if (result.allowed) {
      this.sql.exec(
        "INSERT INTO rate_buckets (key, tat, refusal_answered) VALUES (?, ?, 0) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat, refusal_answered = 0",
        key,
        result.tat,
      );
      return { allowed: true };
    }
    const answer = row?.refusal_answered !== 1;
    if (answer) this.sql.exec("UPDATE rate_buckets SET refusal_answered = 1 WHERE key = ?", key);
    return { allowed: false, answer, retryAfterMs: result.retryAfterMs };
  }

  /** Drops buckets that are full again: their state equals a fresh bucket's. */
  prune(now: number): void {
    this.sql.exec("DELETE FROM rate_buckets WHERE tat < ?", now);
  }
}
