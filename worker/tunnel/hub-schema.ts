import type { Ladder } from "../storage/migrations.js";

/**
 * A RunnerHub's schema ladder (worker/storage/migrations.ts), the directory instance included.
 * Released steps are never edited; a change is a new step at the end.
 */
export const RUNNER_HUB_SCHEMA: Ladder = [
  // 1: the tables as the release before the ladder created them on every start (`IF NOT EXISTS`
  // adopts them as they are), in its order: keys, replay guard, audit, settings, outbox, directory.
  `
  CREATE TABLE IF NOT EXISTS runner_keys (
    kid TEXT PRIMARY KEY,
    jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE IF NOT EXISTS tunnel_nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS tunnel_jtis (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS tunnel_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS hub_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- AUTOINCREMENT: a seq is never reused, even after the newest rows are pruned.
  CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    session TEXT NOT NULL,
    request TEXT NOT NULL,
    timeout_ms INTEGER NOT NULL,
    reply_to TEXT,
    label TEXT NOT NULL,
    state TEXT NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    sent_at INTEGER,
    deadline_at INTEGER,
    outcome TEXT,
    finished_at INTEGER,
    delivered_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, seq);
  CREATE TABLE IF NOT EXISTS hub_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS runner_directory (kid TEXT PRIMARY KEY, runner TEXT NOT NULL, added_at INTEGER NOT NULL);
  `,
  // 2: owner alerts (runner-alerts.ts): the config the Worker last passed (owner, Bot API root,
  // alert threshold) and the current outage, if any. `offline_seq`: the outbox's newest seq when
  // the runner went away, so the calls queued meanwhile are the rows after it.
  `
  CREATE TABLE settings (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
  CREATE TABLE runner_outage (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    runner TEXT NOT NULL,
    offline_since INTEGER,
    offline_seq INTEGER NOT NULL DEFAULT 0,
    alerted_at INTEGER,
    last_alert_at INTEGER
  );
  `,
  // 3: runner failover (failover.ts): a call's route past this runner, and where it moved. On
  // the hub it left, `moved_to` is set in the same write that takes the call off the queue
  // (outbox state 'moved'); `confirmed_at` once the next hub holds it. On the hub that took it,
  // `moved_from` names the runner it came from. `settled_at`: the next hub said the moved call
  // is done, so the session's new calls need not follow it there (failover-follow.ts).
  `
  CREATE TABLE call_failover (
    id TEXT PRIMARY KEY,
    fallbacks TEXT NOT NULL,
    after_ms INTEGER NOT NULL,
    moved_from TEXT,
    moved_to TEXT,
    moved_at INTEGER,
    confirmed_at INTEGER,
    settled_at INTEGER
  );
  CREATE INDEX call_failover_unconfirmed ON call_failover (moved_to, confirmed_at);
  `,
];
