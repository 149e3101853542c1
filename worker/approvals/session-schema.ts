import { addMissingColumns, type Ladder } from "../storage/migrations.js";

/**
 * A Session's schema ladder (worker/storage/migrations.ts). Released steps are never edited; a
 * change is a new step at the end.
 */
export const SESSION_SCHEMA: Ladder = [
  // 1: the tables as the release before the ladder created them on every start (`IF NOT EXISTS`
  // adopts them as they are), with the columns it added to a first-release approvals table.
  (sql) => {
    sql.exec("CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY, json TEXT NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS approvals (
      id TEXT PRIMARY KEY,
      session TEXT NOT NULL,
      request TEXT NOT NULL,
      label TEXT NOT NULL,
      reason TEXT NOT NULL,
      asker TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      state TEXT NOT NULL,
      decided_by TEXT,
      decided_at INTEGER,
      prompt_chat TEXT,
      prompt_message INTEGER
    )`);
    addMissingColumns(sql, "approvals", [
      "note TEXT",
      "call_id TEXT",
      "handed_over INTEGER NOT NULL DEFAULT 0",
      "attempts INTEGER NOT NULL DEFAULT 0",
      "retry_at INTEGER",
    ]);
  },
];
