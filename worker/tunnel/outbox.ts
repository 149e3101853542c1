import { z } from "zod";
import { ToolOutcome, ToolRequest, type SessionKey } from "../../shared/tools/tool-call.js";

/** A chat a person reads: a Telegram chat, a Slack conversation (through its workspace's Gatekeeper), or the owner's console. */
export const ChatTarget = z.discriminatedUnion("channel", [
  z.object({ channel: z.literal("telegram"), chatId: z.string().regex(/^-?\d{1,20}$/) }).strict(),
  z
    .object({
      channel: z.literal("slack"),
      account: z.string().regex(/^slack:[TE][A-Z0-9]{2,31}$/),
      chatId: z.string().regex(/^[CDGUW][A-Z0-9]{2,31}$/),
    })
    .strict(),
  z
    .object({
      channel: z.literal("discord"),
      account: z.string().regex(/^discord:\d{17,20}$/),
      chatId: z.string().regex(/^\d{17,20}$/),
      // A DM's channel id says nothing of whose DM it is, so the approval re-check is told it was one (absent: a guild channel).
      dm: z.literal(true).optional(),
    })
    .strict(),
  z
    .object({
      channel: z.literal("whatsapp"),
      // The number's Gatekeeper (whatsapp:<phone number id>) and the user's wa_id.
      account: z.string().regex(/^whatsapp:\d{1,32}$/),
      chatId: z.string().regex(/^[1-9]\d{6,14}$/),
    })
    .strict(),
  z.object({ channel: z.literal("console") }).strict(),
]);
export type ChatTarget = z.infer<typeof ChatTarget>;

/**
 * Where a result goes when no caller is waiting for it any more (queued calls, restarts): a chat,
 * or the assistant turn of a session that made the call (which hands it to the model), with the
 * chat the turn answers in.
 */
export const ReplyTarget = z.discriminatedUnion("channel", [
  ...ChatTarget.options,
  z.object({ channel: z.literal("assistant"), session: z.string().min(1).max(200), origin: ChatTarget }).strict(),
]);
export type ReplyTarget = z.infer<typeof ReplyTarget>;

/**
 * One call in the RunnerHub's outbox. Written before it is sent; `pending` until a result, an
 * expiry, a timeout, a cancel or a revocation makes it `done`. `acked` means the runner has it in
 * its journal, so a reconnect does not re-send it.
 */
export type OutboxCall = {
  seq: number;
  id: string;
  session: SessionKey;
  request: ToolRequest;
  timeoutMs: number;
  replyTo: ReplyTarget | null;
  label: string;
  state: "pending" | "done";
  acked: boolean;
  createdAt: number;
  expiresAt: number;
  sentAt: number | null;
  deadlineAt: number | null;
  outcome: ToolOutcome | null;
  finishedAt: number | null;
  deliveredAt: number | null;
};

type Row = {
  seq: number;
  id: string;
  session: string;
  request: string;
  timeout_ms: number;
  reply_to: string | null;
  label: string;
  state: string;
  acked: number;
  created_at: number;
  expires_at: number;
  sent_at: number | null;
  deadline_at: number | null;
  outcome: string | null;
  finished_at: number | null;
  delivered_at: number | null;
};

/** Finished calls stay readable (GET /api/calls/:id) this long. */
const DONE_RETENTION_MS = 24 * 60 * 60 * 1000;

function toCall(row: Row): OutboxCall {
  return {
    seq: row.seq,
    id: row.id,
    session: row.session,
    request: ToolRequest.parse(JSON.parse(row.request)),
    timeoutMs: row.timeout_ms,
    replyTo: row.reply_to ? ReplyTarget.parse(JSON.parse(row.reply_to)) : null,
    label: row.label,
    state: row.state === "done" ? "done" : "pending",
    acked: row.acked === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    sentAt: row.sent_at,
    deadlineAt: row.deadline_at,
    outcome: row.outcome ? ToolOutcome.parse(JSON.parse(row.outcome)) : null,
    finishedAt: row.finished_at,
    deliveredAt: row.delivered_at,
  };
}

export type NewCall = Pick<OutboxCall, "id" | "session" | "request" | "timeoutMs" | "replyTo" | "label" | "expiresAt">;

export function enqueue(sql: SqlStorage, call: NewCall, now = Date.now()): OutboxCall {
  const row = sql
    .exec<Row>(
      `INSERT INTO outbox (id, session, request, timeout_ms, reply_to, label, state, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
      call.id,
      call.session,
      JSON.stringify(call.request),
      call.timeoutMs,
      call.replyTo ? JSON.stringify(call.replyTo) : null,
      call.label,
      now,
      call.expiresAt,
    )
    .one();
  return toCall(row);
}

export function findCall(sql: SqlStorage, id: string): OutboxCall | null {
  const row = sql.exec<Row>("SELECT * FROM outbox WHERE id = ?", id).toArray()[0];
  return row ? toCall(row) : null;
}

/** Calls the runner does not have yet, oldest first: what a (re)connect sends. */
export function unacknowledged(sql: SqlStorage): OutboxCall[] {
  return sql.exec<Row>("SELECT * FROM outbox WHERE state = 'pending' AND acked = 0 ORDER BY seq").toArray().map(toCall);
}

export function pendingCalls(sql: SqlStorage): OutboxCall[] {
  return sql.exec<Row>("SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq").toArray().map(toCall);
}

export function countPending(sql: SqlStorage): { queued: number; inFlight: number } {
  const row = sql
    .exec<{ queued: number | null; in_flight: number | null }>(
      "SELECT SUM(acked = 0) AS queued, SUM(acked = 1) AS in_flight FROM outbox WHERE state = 'pending'",
    )
    .one();
  return { queued: row.queued ?? 0, inFlight: row.in_flight ?? 0 };
}

/** Of these calls, the seqs still pending and not yet acknowledged: those a send may still deliver. */
export function stillUnsent(sql: SqlStorage, seqs: number[]): Set<number> {
  const rows = sql.exec<{ seq: number }>(
    "SELECT seq FROM outbox WHERE state = 'pending' AND acked = 0 AND seq IN (SELECT value FROM json_each(?))",
    JSON.stringify(seqs),
  );
  return new Set(rows.toArray().map((row) => row.seq));
}

export function markSent(sql: SqlStorage, seq: number, sentAt: number, deadlineAt: number): void {
  sql.exec("UPDATE outbox SET sent_at = ?, deadline_at = ? WHERE seq = ? AND state = 'pending'", sentAt, deadlineAt, seq);
}

/**
 * The latest deadline among a session's earlier calls still out. The runner runs one session's
 * calls in order, so a call queued behind them cannot start before they end: its clock starts there.
 */
export function sessionDeadline(sql: SqlStorage, session: string, beforeSeq: number): number | null {
  return sql
    .exec<{ at: number | null }>(
      "SELECT MAX(deadline_at) AS at FROM outbox WHERE state = 'pending' AND session = ? AND seq < ? AND deadline_at IS NOT NULL",
      session,
      beforeSeq,
    )
    .one().at;
}

/** The runner journaled every call up to `seq`. */
export function markAcked(sql: SqlStorage, seq: number): void {
  sql.exec("UPDATE outbox SET acked = 1 WHERE seq <= ? AND state = 'pending' AND sent_at IS NOT NULL AND acked = 0", seq);
  setCounter(sql, "call_ack", Math.max(seq, counter(sql, "call_ack")));
}

/** Stores the call's final outcome; false if it was already finished (a duplicate or late result). */
export function finish(sql: SqlStorage, id: string, outcome: ToolOutcome, now = Date.now()): OutboxCall | null {
  const row = sql
    .exec<Row>(
      "UPDATE outbox SET state = 'done', outcome = ?, finished_at = ? WHERE id = ? AND state = 'pending' RETURNING *",
      JSON.stringify(outcome),
      now,
      id,
    )
    .toArray()[0];
  return row ? toCall(row) : null;
}

export function markDelivered(sql: SqlStorage, id: string, now = Date.now()): void {
  sql.exec("UPDATE outbox SET delivered_at = ? WHERE id = ?", now, id);
}

/** Pending calls whose queue TTL ran out before the runner took them. */
export function expiredCalls(sql: SqlStorage, now = Date.now()): OutboxCall[] {
  return sql
    .exec<Row>("SELECT * FROM outbox WHERE state = 'pending' AND acked = 0 AND expires_at <= ? ORDER BY seq", now)
    .toArray()
    .map(toCall);
}

/** Sent calls the runner did not answer in time. */
export function overdueCalls(sql: SqlStorage, now = Date.now()): OutboxCall[] {
  return sql.exec<Row>("SELECT * FROM outbox WHERE state = 'pending' AND deadline_at <= ? ORDER BY seq", now).toArray().map(toCall);
}

/** When the outbox next needs attention (an expiry or a deadline), if ever. */
export function nextDue(sql: SqlStorage): number | null {
  const row = sql
    .exec<{ due: number | null }>(
      `SELECT MIN(due) AS due FROM (
         SELECT MIN(expires_at) AS due FROM outbox WHERE state = 'pending' AND acked = 0
         UNION ALL SELECT MIN(deadline_at) FROM outbox WHERE state = 'pending' AND deadline_at IS NOT NULL)`,
    )
    .one();
  return row.due;
}

export function pruneDone(sql: SqlStorage, now = Date.now()): void {
  sql.exec("DELETE FROM outbox WHERE state = 'done' AND finished_at < ?", now - DONE_RETENTION_MS);
}

export function counter(sql: SqlStorage, key: string): number {
  return sql.exec<{ value: number }>("SELECT value FROM hub_state WHERE key = ?", key).toArray()[0]?.value ?? 0;
}

export function setCounter(sql: SqlStorage, key: string, value: number): void {
  sql.exec("INSERT INTO hub_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
}
