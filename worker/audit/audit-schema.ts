import type { Ladder } from "../storage/migrations.js";

/**
 * The AuditLog's schema ladder (worker/storage/migrations.ts). Released steps are never edited;
 * a change is a new step at the end.
 */
export const AUDIT_LOG_SCHEMA: Ladder = [
  // 1: the table as the release before the ladder created it on every call (`IF NOT EXISTS` adopts it).
  `CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
  )`,
  // 2: noise (refusals anyone can cause) gets a retention budget of its own, evicted apart from the
  // rest (audit-log.ts). The kinds are the ones worker/audit/noise.ts named at this release.
  `ALTER TABLE audit ADD COLUMN noise INTEGER NOT NULL DEFAULT 0;
  UPDATE audit SET noise = 1 WHERE kind IN ('rate.limited', 'pairing.cap_full', 'access.denied', 'tunnel.auth_timeout',
    'tunnel.protocol_refused', 'tunnel.flood', 'tunnel.bad_frame', 'tunnel.audit_capped');
  CREATE INDEX audit_noise_seq ON audit (noise, seq);`,
];
