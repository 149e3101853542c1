import type { Ladder } from "../storage/migrations.js";

/** The HookInbox's schema ladder (worker/storage/migrations.ts). Released steps are never edited. */
export const HOOK_INBOX_SCHEMA: Ladder = [
  (sql) => {
    sql.exec("CREATE TABLE settings (id INTEGER PRIMARY KEY, json TEXT NOT NULL)");
    // Verified deliveries not yet handed on, oldest first; `plan` is the hook's config when it arrived.
    sql.exec(`CREATE TABLE deliveries (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      delivery_id TEXT NOT NULL,
      event TEXT,
      body TEXT NOT NULL,
      plan TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0
    )`);
    // Delivery ids seen recently: a re-send is acknowledged and not run again.
    sql.exec("CREATE TABLE seen_deliveries (delivery_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)");
    // The hook's rate limit, one GCRA number.
    sql.exec("CREATE TABLE rate (id INTEGER PRIMARY KEY CHECK (id = 1), tat REAL NOT NULL)");
    // The refusal audit cap (worker/gatekeeper/quiet-refusals.ts).
    sql.exec(`CREATE TABLE quiet_refusals (
      actor TEXT NOT NULL,
      kind TEXT NOT NULL,
      window_start INTEGER NOT NULL,
      lines INTEGER NOT NULL,
      suppressed INTEGER NOT NULL,
      PRIMARY KEY (actor, kind)
    )`);
  },
];
