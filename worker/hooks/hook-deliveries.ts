import { z } from "zod";
import { HookConfig, HookName } from "../../shared/hooks/hook-config.js";
import { gcra } from "../../shared/access/gcra.js";

/** Re-sends come within minutes (Standard Webhooks retries for about a day; GitHub redelivers by hand): ids are kept three days. */
export const SEEN_FOR_MS = 3 * 24 * 60 * 60 * 1000;

/** What to do with a delivery, fixed when it arrived: the hook's config then, and the channel account that answers. */
export const DeliveryPlan = z.object({ name: HookName, hook: HookConfig, account: z.string().max(128) }).strict();
export type DeliveryPlan = z.infer<typeof DeliveryPlan>;

export type StoredDelivery = { seq: number; id: string; event: string | null; body: string; plan: DeliveryPlan; attempts: number };

/** The HookInbox's tables: the durable queue of verified deliveries, the ids seen, the rate. */
export class HookDeliveries {
  constructor(private readonly sql: SqlStorage) {}

  /** Whether this hook may take one more delivery now; when not, how long until it may. */
  spend(perMinute: number, now: number): number | null {
    const tat = this.sql.exec<{ tat: number }>("SELECT tat FROM rate WHERE id = 1").toArray()[0]?.tat ?? null;
    const result = gcra({ perMinute, burst: perMinute }, tat, now);
    if (!result.allowed) return result.retryAfterMs;
    this.sql.exec("INSERT INTO rate (id, tat) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET tat = excluded.tat", result.tat);
    return null;
  }

  /** Whether the id was seen already (a re-send); synchronous, so two copies cannot both pass. */
  seen(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM seen_deliveries WHERE delivery_id = ?", id).toArray().length > 0;
  }

  accept(id: string, event: string | null, body: string, plan: DeliveryPlan, now: number): void {
    this.sql.exec("INSERT INTO seen_deliveries (delivery_id, seen_at) VALUES (?, ?)", id, now);
    this.sql.exec(
      "INSERT INTO deliveries (delivery_id, event, body, plan, received_at) VALUES (?, ?, ?, ?, ?)",
      id,
      event,
      body,
      JSON.stringify(plan),
      now,
    );
  }

  next(): StoredDelivery | null {
    const row = this.sql
      .exec<{ seq: number; delivery_id: string; event: string | null; body: string; plan: string; attempts: number }>(
        "SELECT seq, delivery_id, event, body, plan, attempts FROM deliveries ORDER BY seq LIMIT 1",
      )
      .toArray()[0];
    if (!row) return null;
    const plan = DeliveryPlan.parse(JSON.parse(row.plan));
    return { seq: row.seq, id: row.delivery_id, event: row.event, body: row.body, plan, attempts: row.attempts };
  }

  failed(seq: number): void {
    this.sql.exec("UPDATE deliveries SET attempts = attempts + 1 WHERE seq = ?", seq);
  }

  done(seq: number): void {
    this.sql.exec("DELETE FROM deliveries WHERE seq = ?", seq);
  }

  depth(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries").one().n;
  }

  forgetSeenBefore(before: number): void {
    this.sql.exec("DELETE FROM seen_deliveries WHERE seen_at < ?", before);
  }
}
