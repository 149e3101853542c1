import { DurableObject } from "cloudflare:workers";
import { migrateOnStart, type Ladder } from "../storage/migrations.js";

/** Signing in from a few browsers is normal; past this many open sessions the oldest is closed. */
const KEEP_SESSIONS = 50;
/** Wrong tokens allowed per window before sign-in answers 429 for the rest of it. */
export const SIGN_IN_FAILURES_ALLOWED = 10;
const FAILURE_WINDOW_SECONDS = 10 * 60;

const UI_SESSIONS_SCHEMA: Ladder = [
  `CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, closed_at INTEGER);
   CREATE TABLE IF NOT EXISTS sign_in_failures (at INTEGER NOT NULL);`,
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

  /** Whether another sign-in may be tried now (few wrong tokens in the window). */
  signInAllowed(now: number): boolean {
    this.sql.exec("DELETE FROM sign_in_failures WHERE at <= ?", now - FAILURE_WINDOW_SECONDS);
    const row = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM sign_in_failures").toArray()[0];
    return (row?.n ?? 0) < SIGN_IN_FAILURES_ALLOWED;
  }

  signInFailed(now: number): void {
    this.sql.exec("INSERT INTO sign_in_failures (at) VALUES (?)", now);
  }
}
