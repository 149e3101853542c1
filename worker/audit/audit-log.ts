import { DurableObject } from "cloudflare:workers";
import { AuditEvent, type StoredAuditEvent } from "./audit-event.js";
import { redact, redactValue } from "./redact.js";

/** Enough history to investigate a week of normal use; the oldest rows go first. */
const KEEP_EVENTS = 5000;

/**
 * The edge's security log: one SQLite-backed Durable Object ("edge") every part of the Worker
 * appends to. Secrets are redacted on the way in and again on the way out.
 */
export class AuditLog extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.ensureTable();
  }

  // Cheap and idempotent; also run per call, so a wiped storage (test isolation) never loses an event.
  private ensureTable(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      kind TEXT NOT NULL,
      channel TEXT NOT NULL,
      actor TEXT NOT NULL,
      detail TEXT NOT NULL
    )`);
  }

  record(event: AuditEvent): void {
    this.ensureTable();
    const parsed = AuditEvent.parse(event);
    const detail = JSON.stringify(redactValue(parsed.detail));
    this.sql.exec(
      "INSERT INTO audit (at, kind, channel, actor, detail) VALUES (?, ?, ?, ?, ?)",
      new Date().toISOString(),
      parsed.kind,
      parsed.channel,
      redact(parsed.actor),
      detail,
    );
    this.sql.exec("DELETE FROM audit WHERE seq <= (SELECT MAX(seq) FROM audit) - ?", KEEP_EVENTS);
  }

  /** Newest first. */
  recent(limit: number): StoredAuditEvent[] {
    this.ensureTable();
    const rows = this.sql
      .exec<{ seq: number; at: string; kind: string; channel: string; actor: string; detail: string }>(
        "SELECT seq, at, kind, channel, actor, detail FROM audit ORDER BY seq DESC LIMIT ?",
        limit,
      )
      .toArray();
    return rows.map((row) => ({
      seq: row.seq,
      at: row.at,
      kind: row.kind as StoredAuditEvent["kind"],
      channel: row.channel,
      actor: redact(row.actor),
      detail: redactValue(JSON.parse(row.detail)) as StoredAuditEvent["detail"],
    }));
  }
}
