import type { AuditKind } from "./audit-event.js";

/**
 * Refusals anyone can cause as often as they like (a stranger's DMs, garbage on a tunnel
 * socket). They are capped where they are recorded (worker/gatekeeper/quiet-refusals.ts,
 * worker/tunnel/tunnel-audit.ts, worker/hooks/hook-audit.ts) and kept in a budget of their own in the AuditLog, so they can
 * never push out the events that need the owner or a key: pairing decisions, approvals, key
 * changes, tunnel auth failures, role changes, revocations, assistant turns.
 */
const NOISE: ReadonlySet<AuditKind> = new Set<AuditKind>([
  "rate.limited",
  "pairing.cap_full",
  "access.denied",
  "tunnel.auth_timeout",
  "tunnel.protocol_refused",
  "tunnel.flood",
  "tunnel.bad_frame",
  "tunnel.audit_capped",
  "hook.refused",
]);

export function isNoise(kind: AuditKind): boolean {
  return NOISE.has(kind);
}
