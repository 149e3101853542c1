import { z } from "zod";

/** Security events the edge records (DESIGN.md "Audit"). */
export const AuditKind = z.enum([
  "pairing.requested",
  "pairing.cap_full",
  "pairing.approved",
  "pairing.denied",
  "pairing.blocked",
  "pairing.refused",
  "pairing.callback_refused",
  "pairing.challenge_failed",
  "pairing.challenge_blocked",
  "access.denied",
  "role.changed",
  "allow.revoked",
  "rate.limited",
  "permission.denied",
  "inbox.dropped",
  "inbox.interrupted",
  "reply.failed",
  "reply.given_up",
  // A reply the platform holds back for now (WhatsApp outside its 24-hour window): kept and retried.
  "reply.held",
  "approval.asked",
  "approval.decided",
  "approval.expired",
  "approval.callback_refused",
  // The tunnel's own events (worker/tunnel/tunnel-audit.ts), copied from each runner's hub.
  "tunnel.auth_failed",
  "tunnel.auth_timeout",
  "tunnel.protocol_refused",
  "tunnel.flood",
  "tunnel.bad_frame",
  "tunnel.capability_refused",
  "tunnel.audit_capped",
  "runner.key_registered",
  "runner.key_rotated",
  "runner.key_revoked",
  "runner.rotation_refused",
  "runner.offline_alert",
  "runner.back_online_alert",
  "runner.failover",
  "approval.refused",
  "approval.cap_full",
  "approval.handover_failed",
  // The assistant: one line per turn (sender, session, model, steps, each call's decision, tokens, outcome).
  "assistant.turn",
  "assistant.model_failed",
  "assistant.budget_exhausted",
  // Signed inbound hooks (worker/hooks/): refusals (capped per hook), a widened tool profile in use, a delivery given up on.
  "hook.refused",
  "hook.tools_widened",
  "hook.dropped",
  // The Control UI (worker/ui/): sessions opened and closed, wrong tokens (at most 10 per 10 minutes: sign-in pauses after).
  "ui.signed_in",
  "ui.sign_in_failed",
  "ui.signed_out",
]);
export type AuditKind = z.infer<typeof AuditKind>;

export const AuditEvent = z
  .object({
    kind: AuditKind,
    channel: z.string().max(64),
    /** `<channel>:<numeric id>` of whoever caused it, `admin` for the admin API, or `runner:<name>` for a socket claiming that runner. */
    actor: z.string().max(128),
    detail: z.record(z.string(), z.union([z.string().max(500), z.number(), z.boolean(), z.null()])).default({}),
  })
  .strict();
export type AuditEvent = z.input<typeof AuditEvent>;

/** A detail as the AuditLog stores it: redaction on the way in may lengthen a string past the 500 an event may bring. */
export const StoredAuditDetail = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type StoredAuditDetail = z.infer<typeof StoredAuditDetail>;
export type StoredAuditEvent = z.output<typeof AuditEvent> & { seq: number; at: string };
