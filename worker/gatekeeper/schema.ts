import type { Ladder } from "../storage/migrations.js";

/**
 * The Gatekeeper's schema ladder (worker/storage/migrations.ts). Released steps are never edited;
 * a change is a new step at the end.
 */
export const GATEKEEPER_SCHEMA: Ladder = [
  // 1: the tables as the release before the ladder created them on every start (`IF NOT EXISTS`
  // adopts them as they are), undelivered_replies included (then made by UndeliveredReplies).
  `
    CREATE TABLE IF NOT EXISTS seen_updates (
      update_id INTEGER PRIMARY KEY,
      seen_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS inbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      update_id INTEGER NOT NULL,
      body TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      stage TEXT NOT NULL DEFAULT 'new'
    );
    CREATE TABLE IF NOT EXISTS pairing_requests (
      account TEXT NOT NULL,
      code TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      status TEXT NOT NULL,
      decided_at INTEGER,
      PRIMARY KEY (account, code)
    );
    CREATE TABLE IF NOT EXISTS pairing_challenges (
      account TEXT NOT NULL,
      code TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (account, code)
    );
    CREATE TABLE IF NOT EXISTS pairing_attempts (
      account TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      code TEXT NOT NULL,
      at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS allowed_senders (
      sender_id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      name TEXT NOT NULL,
      added_at INTEGER NOT NULL,
      via TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rate_buckets (
      key TEXT PRIMARY KEY,
      tat INTEGER NOT NULL,
      refusal_answered INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      json TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS undelivered_replies (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      chat_id TEXT NOT NULL,
      text TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      first_at INTEGER NOT NULL,
      next_at INTEGER NOT NULL
    );
  `,
  // 2: repeated refusals counted instead of written, per actor and kind (quiet-refusals.ts).
  `CREATE TABLE quiet_refusals (
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    suppressed INTEGER NOT NULL,
    PRIMARY KEY (actor, kind)
  )`,
  // 3: the channel accounts the Worker has seen (account-directory.ts); only the "~accounts" instance
  // writes it. A Slack workspace's team id arrives with its first event and is known nowhere else.
  `CREATE TABLE known_accounts (
    account TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  )`,
];
