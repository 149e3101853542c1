import type { Ladder } from "../storage/migrations.js";

/**
 * The ApprovalIndex's schema ladder (worker/storage/migrations.ts). Released steps are never
 * edited; a change is a new step at the end.
 */
export const APPROVAL_INDEX_SCHEMA: Ladder = [
  // 1: the table as the release before the ladder created it on every start (`IF NOT EXISTS` adopts it).
  `CREATE TABLE IF NOT EXISTS approval_index (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    view TEXT NOT NULL
  )`,
];
