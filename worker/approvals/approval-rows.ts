import { ChannelName } from "../../shared/identity.js";
import { ToolRequest } from "../../shared/tools/tool-call.js";
import { ApprovalState, Asker, type Approval, type OwnerPrompt } from "./approval.js";

type Row = {
  id: string;
  session: string;
  request: string;
  label: string;
  reason: string;
  asker: string;
  created_at: number;
  expires_at: number;
  state: string;
  decided_by: string | null;
  decided_at: number | null;
  prompt_chat: string | null;
  prompt_message: number | null;
  prompt_channel: string | null;
  prompt_ref: string | null;
  note: string | null;
  call_id: string | null;
  handed_over: number;
  attempts: number;
  retry_at: number | null;
};

/**
 * A session's approvals in its own SQLite storage (the `approvals` table of the Session's schema
 * ladder, session-schema.ts). Every state change is one synchronous statement.
 */
export class ApprovalRows {
  constructor(private readonly sql: SqlStorage) {}

  /** Adds a pending approval unless the session already has `cap` pending; the count and the insert are one step. */
  insertWithin(approval: Approval, cap: number): { inserted: boolean; pending: number } {
    const pending = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM approvals WHERE state = 'pending'").one().n;
    if (pending >= cap) return { inserted: false, pending };
    this.sql.exec(
      `INSERT INTO approvals (id, session, request, label, reason, asker, created_at, expires_at, state, call_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      approval.id,
      approval.session,
      JSON.stringify(approval.request),
      approval.label,
      approval.reason,
      JSON.stringify(approval.asker),
      approval.createdAt,
      approval.expiresAt,
      approval.callId,
    );
    return { inserted: true, pending: pending + 1 };
  }

  find(id: string): Approval | null {
    const row = this.sql.exec<Row>("SELECT * FROM approvals WHERE id = ?", id).toArray()[0];
    return row ? approvalOf(row) : null;
  }

  /**
   * pending → `to`, or nothing when it was already decided. The check and the write are one
   * statement, so of two taps (or a tap and the API, or a tap and the alarm) exactly one wins.
   * An allow records its call id and first retry time in the same step, so a crash right after
   * still leaves the alarm something to hand over.
   */
  settle(
    id: string,
    to: Exclude<ApprovalState, "pending">,
    by: string | null,
    at: number,
    extra: { note?: string; callId?: string; retryAt?: number } = {},
  ): boolean {
    return (
      this.sql.exec(
        `UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?, note = ?, call_id = ?, retry_at = ?
         WHERE id = ? AND state = 'pending'`,
        to,
        by,
        at,
        extra.note ?? null,
        extra.callId ?? null,
        extra.retryAt ?? null,
        id,
      ).rowsWritten === 1
    );
  }

  /** Where the owner's prompt landed. A Telegram message id is also kept in prompt_message, where the release before read it. */
  setPrompt(id: string, prompt: OwnerPrompt): void {
    const numeric = prompt.channel === "telegram" && /^\d{1,15}$/.test(prompt.messageId) ? Number(prompt.messageId) : null;
    this.sql.exec(
      "UPDATE approvals SET prompt_channel = ?, prompt_chat = ?, prompt_ref = ?, prompt_message = ? WHERE id = ?",
      ...[prompt.channel, prompt.chatId, prompt.messageId, numeric, id],
    );
  }

  /** Pending approvals whose time is up. */
  due(now: number): Approval[] {
    return this.sql
      .exec<Row>("SELECT * FROM approvals WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at", now)
      .toArray()
      .map(approvalOf);
  }

  /** Allowed calls not yet handed to the runner whose retry time has come. */
  handoversDue(now: number): Approval[] {
    return this.sql
      .exec<Row>("SELECT * FROM approvals WHERE state = 'allowed' AND handed_over = 0 AND retry_at <= ? ORDER BY retry_at", now)
      .toArray()
      .map(approvalOf);
  }

  handedOver(id: string): void {
    this.sql.exec("UPDATE approvals SET handed_over = 1, retry_at = NULL WHERE id = ?", id);
  }

  /** One more failed hand-over; returns how many there have been. */
  handoverFailed(id: string, retryAt: number): number {
    return this.sql
      .exec<{ attempts: number }>("UPDATE approvals SET attempts = attempts + 1, retry_at = ? WHERE id = ? RETURNING attempts", retryAt, id)
      .one().attempts;
  }

  /** The next expiry or hand-over retry, whichever is first. */
  nextWake(): number | null {
    const row = this.sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(expires_at) AS at FROM approvals WHERE state = 'pending'
           UNION ALL SELECT MIN(retry_at) FROM approvals WHERE state = 'allowed' AND handed_over = 0)`,
      )
      .one();
    return row.at;
  }

  /** Decided approvals are kept a while, so a late tap gets "already decided" instead of "unknown"; never one still to hand over. */
  pruneDecidedBefore(cutoff: number): void {
    this.sql.exec("DELETE FROM approvals WHERE state != 'pending' AND decided_at < ? AND retry_at IS NULL", cutoff);
  }
}

function approvalOf(row: Row): Approval {
  return {
    id: row.id,
    session: row.session,
    request: ToolRequest.parse(JSON.parse(row.request)),
    label: row.label,
    reason: row.reason,
    asker: Asker.parse(JSON.parse(row.asker)),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    state: ApprovalState.parse(row.state),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    prompt: promptOf(row),
    note: row.note,
    callId: row.call_id,
    handedOver: row.handed_over === 1,
    attempts: row.attempts,
  };
}

function promptOf(row: Row): OwnerPrompt | null {
  const channel = ChannelName.safeParse(row.prompt_channel);
  if (!channel.success || row.prompt_chat === null || row.prompt_ref === null) return null;
  return { channel: channel.data, chatId: row.prompt_chat, messageId: row.prompt_ref };
}
