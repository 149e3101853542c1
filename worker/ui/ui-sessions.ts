import { DurableObject } from "cloudflare:workers";
import { migrateOnStart, type Ladder } from "../storage/migrations.js";

/** Signing in from a few browsers is normal; past this many open sessions the oldest is closed. */
const KEEP_SESSIONS = 50;
/**
 * Wrong tokens allowed per window from one client before sign-in answers it 429 for the rest of the
 * window — per client, so a stranger's guessing cannot lock the owner out of their own UI — and from
 * everyone together (a guesser with many addresses still gets nowhere near a 256-bit token).
 */
export const SIGN_IN_FAILURES_ALLOWED = 10;
const SIGN_IN_FAILURES_ALLOWED_IN_ALL = 200;
const FAILURE_WINDOW_SECONDS = 10 * 60;

const UI_SESSIONS_SCHEMA: Ladder = [
  `CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, closed_at INTEGER);
   CREATE TABLE IF NOT EXISTS sign_in_failures (at INTEGER NOT NULL);`,
  // v2: failures counted per client (Cloudflare's client address; "local" without one).
  `ALTER TABLE sign_in_failures ADD COLUMN source TEXT NOT NULL DEFAULT '';`,
];

/**
 * The Control UI's sessions (one instance, "ui"): a signed cookie is only good while its row here
 * is open, so signing out ends it on the server, not just in the browser that signed out.
 */
export class UiSessions extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateOnStart(ctx, UI_SESSIONS_SCHEMA);
  }

  open(id: string, now: number, expiresAt: number): void {
    this.sql.exec("DELETE FROM sessions WHERE expires_at <= ? OR closed_at IS NOT NULL AND closed_at <= ?", now, now - 86_400);
    this.sql.exec("INSERT INTO sessions (id, created_at, expires_at) VALUES (?, ?, ?)", id, now, expiresAt);
    this.sql.exec(
      `UPDATE sessions SET closed_at = ? WHERE closed_at IS NULL AND id NOT IN
         (SELECT id FROM sessions WHERE closed_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT ?)`,
      now,
      KEEP_SESSIONS,
    );
  }

  isOpen(id: string, now: number): boolean {
    return this.sql.exec("SELECT 1 FROM sessions WHERE id = ? AND closed_at IS NULL AND expires_at > ?", id, now).toArray().length > 0;
  }

  /** Closes a session; true when it was open. */
  close(id: string, now: number): boolean {
    return this.sql.exec("UPDATE sessions SET closed_at = ? WHERE id = ? AND closed_at IS NULL", now, id).rowsWritten > 0;
  }

  /** Whether this client may try another sign-in now (few wrong tokens from it, and from all, in the window). */
  signInAllowed(now: number, source: string): boolean {
    this.sql.exec("DELETE FROM sign_in_failures WHERE at <= ?", now - FAILURE_WINDOW_SECONDS);
    const row = this.sql
      .exec<{ mine: number; total: number }>(
        "SELECT COUNT(*) FILTER (WHERE source = ?) AS mine, COUNT(*) AS total FROM sign_in_failures",
        source,
      )
      .toArray()[0];
    return (row?.mine ?? 0) < SIGN_IN_FAILURES_ALLOWED && (row?.total ?? 0) < SIGN_IN_FAILURES_ALLOWED_IN_ALL;
  }

  signInFailed(now: number, source: string): void {
    this.sql.exec("INSERT INTO sign_in_failures (at, source) VALUES (?, ?)", now, source);
  }
}
