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
  // 2: the owner's prompt on any channel. prompt_message is an INTEGER (Telegram's message_id); a
  // Slack message is named by its `ts` ("1700000000.000100"), which does not fit. The prompt's
  // channel and its message reference as text; the Telegram prompts already stored carry over.
  (sql) => {
    sql.exec("ALTER TABLE approvals ADD COLUMN prompt_channel TEXT");
    sql.exec("ALTER TABLE approvals ADD COLUMN prompt_ref TEXT");
    sql.exec(
      `UPDATE approvals SET prompt_channel = 'telegram', prompt_ref = CAST(prompt_message AS TEXT)
       WHERE prompt_chat IS NOT NULL AND prompt_message IS NOT NULL`,
    );
  },
];
