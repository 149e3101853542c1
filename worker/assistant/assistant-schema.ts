import type { Ladder } from "../storage/migrations.js";

/** The Assistant's schema ladder (worker/storage/migrations.ts). Released steps are never edited. */
export const ASSISTANT_SCHEMA: Ladder = [
  (sql) => {
    sql.exec("CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY, json TEXT NOT NULL)");
    // The conversation: one model message per row, in order; tool outputs are stored clipped.
    sql.exec(`CREATE TABLE IF NOT EXISTS history (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      turn TEXT NOT NULL,
      message TEXT NOT NULL,
      bytes INTEGER NOT NULL
    )`);
    // The turn in progress (at most one) and the messages that arrived while it ran, in order.
    sql.exec("CREATE TABLE IF NOT EXISTS turns (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS waiting (seq INTEGER PRIMARY KEY AUTOINCREMENT, input TEXT NOT NULL)");
    // Use per sender per UTC day, for the budgets.
    sql.exec(`CREATE TABLE IF NOT EXISTS usage (
      sender TEXT NOT NULL,
      day TEXT NOT NULL,
      steps INTEGER NOT NULL,
      tokens INTEGER NOT NULL,
      told INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (sender, day)
    )`);
  },
];
