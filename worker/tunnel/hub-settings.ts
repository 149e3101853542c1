import { z } from "zod";

/** How long a call may wait for an offline runner, and how many may wait, unless configured. */
export const DEFAULT_QUEUE_TTL_SECONDS = 3600;
export const DEFAULT_QUEUE_LIMIT = 2048;

/** Per-runner settings the owner may change (`PATCH /api/runners/:name`). */
export const HubSettings = z
  .object({
    queueTtlSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600),
    queueLimit: z.number().int().min(1).max(10_000),
  })
  .strict();
export type HubSettings = z.infer<typeof HubSettings>;
export const HubSettingsPatch = HubSettings.partial().strict();
export type HubSettingsPatch = z.infer<typeof HubSettingsPatch>;

export function readSettings(sql: SqlStorage): HubSettings & { runner: string | null } {
  const rows = new Map(
    sql
      .exec<{ key: string; value: string }>("SELECT key, value FROM hub_settings")
      .toArray()
      .map((row) => [row.key, row.value]),
  );
  return {
    runner: rows.get("runner") ?? null,
    queueTtlSeconds: Number(rows.get("queueTtlSeconds") ?? DEFAULT_QUEUE_TTL_SECONDS),
    queueLimit: Number(rows.get("queueLimit") ?? DEFAULT_QUEUE_LIMIT),
  };
}

export function writeSetting(sql: SqlStorage, key: "runner" | keyof HubSettings, value: string | number): void {
  sql.exec("INSERT INTO hub_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, String(value));
}
