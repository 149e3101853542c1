import type { AuditEvent, AuditKind } from "../audit/audit-event.js";
import { recordAudit } from "../audit/record-audit.js";
import { countAllKeys } from "./runner-keys.js";

/** Security events of one runner's tunnel, kept at the edge (redacted: no tokens, no keys). */
export type TunnelAuditEvent = { at: number; event: string; detail: string };
/** The tunnel's events are kinds of the edge's one audit log, so both always know the same names. */
export type TunnelAuditKind = Extract<AuditKind, `tunnel.${string}` | `runner.${string}`>;
/** What recording needs: the hub's SQLite, and the edge's audit log to copy the event to without waiting for it. */
export type AuditHost = { sql: SqlStorage; env: Env; ctx: Pick<DurableObjectState, "waitUntil"> };

const KEEP = 500;
/**
 * Anyone can open a socket and send garbage, so socket events (`tunnel.*`) reach the edge's log
 * at most this often per runner per minute; one `tunnel.audit_capped` then says the rest of the
 * minute is only in this hub (`GET /api/runners/:name`). Key events (`runner.*`) need the owner's
 * token and always go through.
 */
const FORWARD_PER_MINUTE = 20;

/** Records and logs one event (the table keeps the newest KEEP rows), and copies it to the edge's audit log. */
export function audit(host: AuditHost, runner: string, event: TunnelAuditKind, detail: string): void {
  const { sql } = host;
  const clipped = detail.slice(0, 300);
  // The owner's own key changes are routine (a log line); anything a socket did wrong is a warning.
  const routine = event === "runner.key_registered" || event === "runner.key_rotated" || event === "runner.key_revoked";
  (routine ? console.log : console.warn)(JSON.stringify({ event, runner, detail: clipped }));
  const now = Date.now();
  sql.exec("INSERT INTO tunnel_audit (at, event, detail) VALUES (?, ?, ?)", now, event, clipped);
  sql.exec("DELETE FROM tunnel_audit WHERE id <= (SELECT MAX(id) FROM tunnel_audit) - ?", KEEP);
  const forwarded = edgeEvent(sql, runner, event, clipped, now);
  // Never awaited: the socket is refused at once, whether or not the audit log answers (recordAudit never throws).
  if (forwarded) host.ctx.waitUntil(recordAudit(host.env, forwarded));
}

/** The event as the edge's audit log keeps it, or null when it stays in this hub only. */
function edgeEvent(sql: SqlStorage, runner: string, event: TunnelAuditKind, reason: string, now: number): AuditEvent | null {
  // A name nobody registered is anyone's to make up: its events stay in its own hub, never crowding the edge's log.
  if (countAllKeys(sql) === 0) return null;
  if (event.startsWith("runner.")) return { kind: event, channel: "tunnel", actor: "admin", detail: { runner, reason } };
  const recent = sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM tunnel_audit WHERE at > ? AND event LIKE 'tunnel.%'", now - 60_000)
    .one().n;
  const actor = `runner:${runner}`;
  if (recent <= FORWARD_PER_MINUTE) return { kind: event, channel: "tunnel", actor, detail: { runner, reason } };
  if (recent > FORWARD_PER_MINUTE + 1) return null;
  const capped = `more than ${FORWARD_PER_MINUTE} tunnel events within a minute; the rest are in GET /api/runners/${runner}`;
  return { kind: "tunnel.audit_capped", channel: "tunnel", actor, detail: { runner, reason: capped } };
}

export function recentAudit(sql: SqlStorage, limit = 50): TunnelAuditEvent[] {
  return sql
    .exec<TunnelAuditEvent>("SELECT at, event, detail FROM tunnel_audit ORDER BY id DESC LIMIT ?", limit)
    .toArray()
    .map((row) => ({ at: row.at, event: row.event, detail: row.detail }));
}
