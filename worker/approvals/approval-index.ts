import { DurableObject } from "cloudflare:workers";
import { migrateOnStart } from "../storage/migrations.js";
import { APPROVAL_INDEX_SCHEMA } from "./approval-index-schema.js";
import { ApprovalView, type ApprovalState } from "./approval.js";

/** Decided approvals stay listable (and findable for a clear "already decided") this long. */
export const KEEP_DECIDED_MS = 24 * 60 * 60 * 1000;

/**
 * The one directory of approvals across sessions (instance "approvals"): which session holds an
 * id, and a copy of each approval for listing. The session's own row is the truth; this copy is
 * refreshed on every change and never decides anything.
 */
export class ApprovalIndex extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateOnStart(ctx, APPROVAL_INDEX_SCHEMA);
  }

  put(view: ApprovalView): void {
    this.sql.exec(
      `INSERT INTO approval_index (id, session, state, created_at, updated_at, view) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, view = excluded.view`,
      view.id,
      view.session,
      view.state,
      view.createdAt,
      Date.now(),
      JSON.stringify(view),
    );
    this.sql.exec("DELETE FROM approval_index WHERE state != 'pending' AND updated_at < ?", Date.now() - KEEP_DECIDED_MS);
  }

  sessionOf(id: string): string | null {
    return this.sql.exec<{ session: string }>("SELECT session FROM approval_index WHERE id = ?", id).toArray()[0]?.session ?? null;
  }

  /** Pending oldest first (the next to expire on top); decided ones newest first. */
  list(state: ApprovalState | "all", limit: number): ApprovalView[] {
    const rows =
      state === "all"
        ? this.sql.exec<{ view: string }>("SELECT view FROM approval_index ORDER BY state != 'pending', created_at DESC LIMIT ?", limit)
        : this.sql.exec<{ view: string }>(
            `SELECT view FROM approval_index WHERE state = ? ORDER BY created_at ${state === "pending" ? "ASC" : "DESC"} LIMIT ?`,
            state,
            limit,
          );
    return rows.toArray().map((row) => ApprovalView.parse(JSON.parse(row.view)));
  }
}
