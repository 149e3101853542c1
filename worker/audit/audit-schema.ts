import type { Ladder } from "../storage/migrations.js";

/**
 * The AuditLog's schema ladder (worker/storage/migrations.ts). Released steps are never edited;
 * a change is a new step at the end.
 */
export const AUDIT_LOG_SCHEMA: Ladder = [
  // 1: the table as the release before the ladder created it on every call (`IF NOT EXISTS` adopts it).
  `CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
  )`,
];
