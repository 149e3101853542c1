import { DurableObject } from "cloudflare:workers";
import { migrateOnStart } from "../storage/migrations.js";
import { AuditEvent, AuditKind, StoredAuditDetail, type StoredAuditEvent } from "./audit-event.js";
import { AUDIT_LOG_SCHEMA } from "./audit-schema.js";
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
    migrateOnStart(ctx, AUDIT_LOG_SCHEMA);
  }

  record(event: AuditEvent): void {
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
    const rows = this.sql
      .exec<{ seq: number; at: string; kind: string; channel: string; actor: string; detail: string }>(
        "SELECT seq, at, kind, channel, actor, detail FROM audit ORDER BY seq DESC LIMIT ?",
        limit,
      )
      .toArray();
    return rows.map((row) => ({
      seq: row.seq,
      at: row.at,
      kind: AuditKind.parse(row.kind),
      channel: row.channel,
      actor: redact(row.actor),
      detail: StoredAuditDetail.parse(redactValue(JSON.parse(row.detail))),
    }));
  }
}
