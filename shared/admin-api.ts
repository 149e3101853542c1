import { z } from "zod";
import { Role } from "./access/roles.js";

/**
 * The admin API's answers (`/api/*`), read by the CLI and by the tests with these schemas instead
 * of a cast: a Worker that answers something else is caught at the first read. Errors are
 * ErrorBody (wire-error.ts).
 */

export const PendingPairing = z
  .object({ code: z.string(), senderId: z.string(), name: z.string(), ageSeconds: z.number(), expiresInSeconds: z.number() })
  .strict();
export type PendingPairing = z.infer<typeof PendingPairing>;
export const PairingList = z.object({ pending: z.array(PendingPairing) }).strict();
export type PairingList = z.infer<typeof PairingList>;

export const PairingResult = z
  .object({
    ok: z.literal(true),
    action: z.enum(["approve", "deny"]),
    senderId: z.string(),
    name: z.string(),
    role: Role.nullable(),
    message: z.string(),
  })
  .strict();
export type PairingResult = z.infer<typeof PairingResult>;

export const AllowedSender = z
  .object({ senderId: z.string(), role: Role, name: z.string(), source: z.enum(["pairing", "admin", "config"]) })
  .strict();
export type AllowedSender = z.infer<typeof AllowedSender>;
export const AllowList = z.object({ allowed: z.array(AllowedSender) }).strict();
export type AllowList = z.infer<typeof AllowList>;
export const RoleSet = AllowedSender.extend({ ok: z.literal(true) }).strict();
export type RoleSet = z.infer<typeof RoleSet>;
export const AllowRevoked = z
  .object({ ok: z.literal(true), senderId: z.string(), revoked: z.literal(true), stillInConfig: z.boolean() })
  .strict();
export type AllowRevoked = z.infer<typeof AllowRevoked>;

export const ApprovalState = z.enum(["pending", "allowed", "denied", "expired"]);
export type ApprovalState = z.infer<typeof ApprovalState>;

/** An approval as the admin API lists it (and the ApprovalIndex stores it): no reply targets, times as ISO strings. */
export const ApprovalView = z
  .object({
    id: z.string(),
    session: z.string(),
    state: ApprovalState,
    tool: z.string(),
    label: z.string(),
    reason: z.string(),
    sender: z.string(),
    senderName: z.string(),
    role: Role,
    createdAt: z.string(),
    expiresAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    // Views stored before notes existed have none.
    note: z.string().nullable().default(null),
  })
  .strict();
export type ApprovalView = z.infer<typeof ApprovalView>;
export const ApprovalList = z.object({ approvals: z.array(ApprovalView) }).strict();
export type ApprovalList = z.infer<typeof ApprovalList>;
export const ApprovalDecided = z
  .object({ ok: z.literal(true), approval: ApprovalView, message: z.string(), result: z.string().nullable() })
  .strict();
export type ApprovalDecided = z.infer<typeof ApprovalDecided>;

/** One line of the edge's audit log, newest first. `kind` is one of the Worker's AuditKind values. */
export const AuditLine = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    kind: z.string(),
    channel: z.string(),
    actor: z.string(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .strict();
export type AuditLine = z.infer<typeof AuditLine>;
export const AuditList = z.object({ events: z.array(AuditLine) }).strict();
export type AuditList = z.infer<typeof AuditList>;

/** The console's answer to `POST /api/messages`; null when the message needs no reply. */
export const ConsoleReply = z.object({ reply: z.string().nullable() }).strict();
export type ConsoleReply = z.infer<typeof ConsoleReply>;

export const RunnerSummary = z
  .object({
    runner: z.string(),
    connected: z.boolean(),
    since: z.number().nullable(),
    lastSeen: z.number().nullable(),
    queueDepth: z.number().int(),
    inFlight: z.number().int(),
    keys: z.number().int(),
    /** Set when the runner's hub did not answer (its other fields are then unknown, shown as zero). */
    unavailable: z.string().optional(),
  })
  .strict();
export type RunnerSummary = z.infer<typeof RunnerSummary>;
/** A channel account the gateway serves: Telegram's bot, and each Slack workspace that has sent an event (first and last seen). */
export const ChannelAccount = z
  .object({ channel: z.string(), account: z.string(), firstSeen: z.string().nullable(), lastSeen: z.string().nullable() })
  .strict();
export type ChannelAccount = z.infer<typeof ChannelAccount>;

export const StatusList = z
  .object({
    runners: z.array(RunnerSummary),
    /** The assistant's model as `provider:model` (never its key); null: none configured. Absent from older gateways. */
    model: z.string().nullable().optional(),
    /** Whether each secret the audit asks about is set (never a value). Absent from older gateways. */
    secrets: z.record(z.string(), z.boolean()).optional(),
    /** The access config as the gateway parsed it (null with the error when it does not parse). Absent from older gateways. */
    access: z.object({ config: z.unknown(), error: z.string().nullable() }).strict().optional(),
    /** The channel accounts with access control (the :channel of /api/pairing and /api/allow). Absent from older gateways. */
    channels: z.array(ChannelAccount).optional(),
  })
  .strict();
export type StatusList = z.infer<typeof StatusList>;

export const RunnerRegistered = z.object({ runner: z.string(), kid: z.string(), gatewayKey: z.unknown() }).strict();
export type RunnerRegistered = z.infer<typeof RunnerRegistered>;
export const RunnerRotated = z
  .object({ runner: z.string(), kid: z.string(), retired: z.array(z.string()), gatewayKey: z.unknown() })
  .strict();
export type RunnerRotated = z.infer<typeof RunnerRotated>;
export const RunnerKeyRevoked = z
  .object({ runner: z.string(), kid: z.string(), revoked: z.literal(true), closed: z.number().int(), cancelled: z.number().int() })
  .strict();
export type RunnerKeyRevoked = z.infer<typeof RunnerKeyRevoked>;
