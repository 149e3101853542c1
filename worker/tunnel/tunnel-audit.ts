/** Security events of one runner's tunnel, kept at the edge (redacted: no tokens, no keys). */
export type TunnelAuditEvent = { at: number; event: string; detail: string };

const KEEP = 500;

export function migrateTunnelAudit(sql: SqlStorage): void {
  sql.exec(
    `CREATE TABLE IF NOT EXISTS tunnel_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL)`,
  );
}

/** Records and logs one event; the table keeps the newest KEEP rows. */
export function audit(sql: SqlStorage, runner: string, event: string, detail: string): void {
  const clipped = detail.slice(0, 300);
  console.warn(JSON.stringify({ event, runner, detail: clipped }));
  sql.exec("INSERT INTO tunnel_audit (at, event, detail) VALUES (?, ?, ?)", Date.now(), event, clipped);
  sql.exec("DELETE FROM tunnel_audit WHERE id <= (SELECT MAX(id) FROM tunnel_audit) - ?", KEEP);
}

export function recentAudit(sql: SqlStorage, limit = 50): TunnelAuditEvent[] {
  return sql
    .exec<TunnelAuditEvent>("SELECT at, event, detail FROM tunnel_audit ORDER BY id DESC LIMIT ?", limit)
    .toArray()
    .map((row) => ({ at: row.at, event: row.event, detail: row.detail }));
}
