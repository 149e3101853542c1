import type { ToolRequest } from "../../shared/tools/tool-call.js";
import type { Approval, ApprovalState, Asker } from "./approval.js";

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
};

/** A session's approvals in its own SQLite storage. Every state change is one synchronous statement. */
export class ApprovalRows {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS approvals (
      id TEXT PRIMARY KEY,
      session TEXT NOT NULL,
      request TEXT NOT NULL,
      label TEXT NOT NULL,
      reason TEXT NOT NULL,
      asker TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      state TEXT NOT NULL,
      decided_by TEXT,
      decided_at INTEGER,
      prompt_chat TEXT,
      prompt_message INTEGER
    )`);
  }

  insert(approval: Approval): void {
    this.sql.exec(
      `INSERT INTO approvals (id, session, request, label, reason, asker, created_at, expires_at, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
      approval.id,
      approval.session,
      JSON.stringify(approval.request),
      approval.label,
      approval.reason,
      JSON.stringify(approval.asker),
      approval.createdAt,
      approval.expiresAt,
    );
  }

  find(id: string): Approval | null {
    const row = this.sql.exec<Row>("SELECT * FROM approvals WHERE id = ?", id).toArray()[0];
    return row ? approvalOf(row) : null;
  }

  /**
   * pending → `to`, or nothing when it was already decided. The check and the write are one
   * statement, so of two taps (or a tap and the API, or a tap and the alarm) exactly one wins.
   */
  settle(id: string, to: Exclude<ApprovalState, "pending">, by: string | null, at: number): boolean {
    return (
      this.sql.exec("UPDATE approvals SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'", to, by, at, id)
        .rowsWritten === 1
    );
  }

  setPrompt(id: string, chatId: string, messageId: number): void {
    this.sql.exec("UPDATE approvals SET prompt_chat = ?, prompt_message = ? WHERE id = ?", chatId, messageId, id);
  }

  /** Pending approvals whose time is up. */
  due(now: number): Approval[] {
    return this.sql
      .exec<Row>("SELECT * FROM approvals WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at", now)
      .toArray()
      .map(approvalOf);
  }

  nextExpiry(): number | null {
    const row = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM approvals WHERE state = 'pending'").toArray()[0];
    return row?.at ?? null;
  }

  /** Decided approvals are kept a while, so a late tap gets "already decided" instead of "unknown". */
  pruneDecidedBefore(cutoff: number): void {
    this.sql.exec("DELETE FROM approvals WHERE state != 'pending' AND decided_at < ?", cutoff);
  }
}

function approvalOf(row: Row): Approval {
  return {
    id: row.id,
    session: row.session,
    request: JSON.parse(row.request) as ToolRequest,
    label: row.label,
    reason: row.reason,
    asker: JSON.parse(row.asker) as Asker,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    state: row.state as ApprovalState,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    prompt: row.prompt_chat !== null && row.prompt_message !== null ? { chatId: row.prompt_chat, messageId: row.prompt_message } : null,
  };
}
