import { DurableObject } from "cloudflare:workers";
import { migrateOnStart } from "../storage/migrations.js";
import { AuditEvent, AuditKind, StoredAuditDetail, type StoredAuditEvent } from "./audit-event.js";
import { AUDIT_LOG_SCHEMA } from "./audit-schema.js";
import { isNoise } from "./noise.js";
import { redact, redactValue } from "./redact.js";

/** Enough history to investigate a week of normal use; the oldest rows go first. */
const KEEP_EVENTS = 5000;
/**
 * Noise (noise.ts) is kept apart, its oldest going first, and never costs the rest a row. At most
 * half of the largest page (GET /api/audit?limit=1000), so that page always has room for the
 * newest 500 other events however many strangers knock.
 */
const KEEP_NOISE = 500;

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
    const noise = isNoise(parsed.kind) ? 1 : 0;
    this.sql.exec(
      "INSERT INTO audit (at, kind, channel, actor, detail, noise) VALUES (?, ?, ?, ?, ?, ?)",
      new Date().toISOString(),
      parsed.kind,
      parsed.channel,
      redact(parsed.actor),
      detail,
      noise,
    );
    // Each budget evicts only its own oldest rows.
    this.sql.exec(
      "DELETE FROM audit WHERE noise = ? AND seq <= (SELECT seq FROM audit WHERE noise = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
      noise,
      noise,
      noise ? KEEP_NOISE : KEEP_EVENTS,
    );
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
