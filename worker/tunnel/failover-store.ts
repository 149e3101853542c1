import { z } from "zod";
import type { WaitingCall } from "../../shared/sessions/failover.js";
import * as outbox from "./outbox.js";
import type { OutboxCall } from "./outbox.js";

/**
 * The `call_failover` table (hub-schema.ts step 3) and the outbox state 'moved'. A call taken
 * off this hub's queue is marked 'moved' in the same synchronous write that checks it was never
 * sent, so no drain can send it afterwards (every drain selects state 'pending' only).
 */
const Fallbacks = z.array(z.string());

/** A call that left this hub: for `to`, with the rest of its route after `to`. */
export type MovedCall = { id: string; to: string; fallbacks: string[]; confirmed: boolean };

/** Remembers a call's route past this runner (or, on the hub that took it, where it came from). */
export function rememberRoute(sql: SqlStorage, id: string, fallbacks: readonly string[], afterMs: number, movedFrom?: string): void {
  if (fallbacks.length === 0 && movedFrom === undefined) return;
  sql.exec(
    "INSERT INTO call_failover (id, fallbacks, after_ms, moved_from) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
    id,
    JSON.stringify(fallbacks),
    afterMs,
    movedFrom ?? null,
  );
}

/** Whether any pending call has a route past this runner: if none, failover has nothing to look at (cheap: only routed calls have rows). */
export function hasRoutedWaiting(sql: SqlStorage): boolean {
  return (
    sql
      .exec("SELECT 1 FROM call_failover f JOIN outbox o ON o.id = f.id WHERE o.state = 'pending' AND f.fallbacks <> '[]' LIMIT 1")
      .toArray().length > 0
  );
}

/** Pending calls that have a route past this runner, in queue order; and every other pending call, which holds its session. */
export function waitingCalls(sql: SqlStorage): WaitingCall[] {
  return sql
    .exec<{ id: string; session: string; sent_at: number | null; fallbacks: string | null; after_ms: number | null }>(
      `SELECT o.id, o.session, o.sent_at, f.fallbacks, f.after_ms FROM outbox o LEFT JOIN call_failover f ON f.id = o.id
       WHERE o.state = 'pending' ORDER BY o.seq`,
    )
    .toArray()
    .map((row) => ({
      id: row.id,
      session: row.session,
      sent: row.sent_at !== null,
      fallbacks: row.fallbacks ? Fallbacks.parse(JSON.parse(row.fallbacks)) : [],
      failoverAfterMs: row.after_ms ?? 0,
    }));
}

/**
 * Takes a never-sent call off this hub's queue for `to`; false if it was sent (or finished)
 * meanwhile. Check and mark are one statement: nothing can send it in between.
 */
export function markMoved(sql: SqlStorage, id: string, to: string, now: number): boolean {
  const taken = sql
    .exec("UPDATE outbox SET state = 'moved' WHERE id = ? AND state = 'pending' AND sent_at IS NULL AND acked = 0 RETURNING id", id)
    .toArray();
  if (taken.length === 0) return false;
  // A call with no route of its own (one following its session, failover-follow.ts) gets its row here.
  sql.exec(
    `INSERT INTO call_failover (id, fallbacks, after_ms, moved_to, moved_at) VALUES (?, '[]', 0, ?, ?)
     ON CONFLICT(id) DO UPDATE SET moved_to = excluded.moved_to, moved_at = excluded.moved_at, confirmed_at = NULL`,
    id,
    to,
    now,
  );
  return true;
}

/** The next hub holds the call: it finished moving. */
export function confirmMoved(sql: SqlStorage, id: string, now: number): void {
  sql.exec("UPDATE call_failover SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL", now, id);
}

/** The next hub refused the call for good (its queue full, its key revoked): it waits here again, as before. */
export function reopen(sql: SqlStorage, id: string): void {
  sql.exec("UPDATE outbox SET state = 'pending' WHERE id = ? AND state = 'moved'", id);
  sql.exec("UPDATE call_failover SET moved_to = NULL, moved_at = NULL WHERE id = ?", id);
}

export function movedCall(sql: SqlStorage, id: string): MovedCall | null {
  const row = sql
    .exec<{ moved_to: string; fallbacks: string; confirmed_at: number | null }>(
      "SELECT f.moved_to, f.fallbacks, f.confirmed_at FROM call_failover f JOIN outbox o ON o.id = f.id WHERE f.id = ? AND o.state = 'moved'",
      id,
    )
    .toArray()[0];
  if (!row) return null;
  const route = Fallbacks.parse(JSON.parse(row.fallbacks));
  return { id, to: row.moved_to, fallbacks: route.slice(route.indexOf(row.moved_to) + 1), confirmed: row.confirmed_at !== null };
}

/** The newest call of `session` that moved away from this hub, if any: where the session's calls run now. */
export function lastMoveOfSession(sql: SqlStorage, session: string): { id: string; to: string } | null {
  return (
    sql
      .exec<{ id: string; to: string }>(
        `SELECT o.id, f.moved_to AS "to" FROM outbox o JOIN call_failover f ON f.id = o.id
         WHERE o.state = 'moved' AND o.session = ? AND f.settled_at IS NULL ORDER BY o.seq DESC LIMIT 1`,
        session,
      )
      .toArray()[0] ?? null
  );
}

/** The next hub finished the moved call: later calls of its session are this hub's again. */
export function settleMoved(sql: SqlStorage, id: string, now: number): void {
  sql.exec("UPDATE call_failover SET settled_at = ? WHERE id = ?", now, id);
}

/** Moves the next hub has not confirmed yet (a crash, an error on the way), in queue order: retried until it has. */
export function unconfirmedMoves(sql: SqlStorage): { call: OutboxCall; to: string; fallbacks: string[] }[] {
  return sql
    .exec<{ id: string; moved_to: string; fallbacks: string }>(
      `SELECT o.id, f.moved_to, f.fallbacks FROM outbox o JOIN call_failover f ON f.id = o.id
       WHERE o.state = 'moved' AND f.confirmed_at IS NULL ORDER BY o.seq`,
    )
    .toArray()
    .flatMap((row) => {
      const call = outbox.findCall(sql, row.id);
      const route = Fallbacks.parse(JSON.parse(row.fallbacks));
      return call ? [{ call, to: row.moved_to, fallbacks: route.slice(route.indexOf(row.moved_to) + 1) }] : [];
    });
}

export function failoverAfterMs(sql: SqlStorage, id: string): number {
  return sql.exec<{ after_ms: number }>("SELECT after_ms FROM call_failover WHERE id = ?", id).toArray()[0]?.after_ms ?? 0;
}

/** Where a call came from, on the hub that took it over. */
export function movedFrom(sql: SqlStorage, id: string): string | null {
  return sql.exec<{ moved_from: string | null }>("SELECT moved_from FROM call_failover WHERE id = ?", id).toArray()[0]?.moved_from ?? null;
}

/** Moved calls stay readable here (their id names this runner) as long as finished ones do. */
export function pruneMoved(sql: SqlStorage, now: number, keepMs = 24 * 60 * 60 * 1000): void {
  sql.exec("DELETE FROM outbox WHERE state = 'moved' AND id IN (SELECT id FROM call_failover WHERE confirmed_at < ?)", now - keepMs);
  sql.exec("DELETE FROM call_failover WHERE id NOT IN (SELECT id FROM outbox)");
}

/** When this runner went offline (owner alerts keep the outage, runner-alerts.ts); null while it is connected. */
export function offlineSince(sql: SqlStorage, connected: boolean): number | null {
  if (connected) return null;
  const outage = sql.exec<{ at: number | null }>("SELECT offline_since AS at FROM runner_outage WHERE id = 1").toArray()[0]?.at ?? null;
  // Never seen going away (it never connected since this hub's storage began): as long offline as can be.
  return outage ?? (outbox.counter(sql, "last_seen") || 0);
}
