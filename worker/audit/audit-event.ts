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
  "approval.asked",
  "approval.decided",
  "approval.expired",
  "approval.callback_refused",
  "approval.refused",
  "approval.cap_full",
  "approval.handover_failed",
]);
export type AuditKind = z.infer<typeof AuditKind>;

export const AuditEvent = z
  .object({
    kind: AuditKind,
    channel: z.string().max(64),
    /** `<channel>:<numeric id>` of whoever caused it, or `admin` for the admin API. */
    actor: z.string().max(128),
    detail: z.record(z.string(), z.union([z.string().max(500), z.number(), z.boolean(), z.null()])).default({}),
  })
  .strict();
export type AuditEvent = z.input<typeof AuditEvent>;
export type StoredAuditEvent = z.output<typeof AuditEvent> & { seq: number; at: string };
