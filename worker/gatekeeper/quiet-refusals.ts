import type { AuditKind } from "../audit/audit-event.js";
import { isNoise } from "../audit/noise.js";
import { recordAudit } from "../audit/record-audit.js";
import type { Gate } from "./gate.js";

/**
 * The cap on repeated refusals (issue 14: a stranger's flood must not flush the audit log). Per
 * actor and noise kind (worker/audit/noise.ts), a window opens with the first line and lasts
 * WINDOW_MS: its first LINES_PER_WINDOW events are written as they come (so one refusal's whole
 * story, the answered notice and the silent ones after it, stays readable), the rest are only
 * counted. When the window rolls, one line of the same kind says `N more since <first line>`
 * (detail `more`, `since`, `summary`): written by the next such event, or by the drain the alarm
 * set for the window's end runs, whichever comes first. So an actor costs the log at most
 * LINES_PER_WINDOW + 1 lines per kind a minute, however fast it sends.
 */
const LINES_PER_WINDOW = 3;
const WINDOW_MS = 60_000;

type Summary = { actor: string; kind: AuditKind; more: number; since: number };
type Row = { actor: string; kind: string; window_start: number; lines: number; suppressed: number };

export class QuietRefusals {
  constructor(private readonly sql: SqlStorage) {}

  /** One more event: whether to write it, the summary of a window it closed, and when a new count wants flushing. */
  admit(actor: string, kind: AuditKind, now: number): { write: boolean; summary: Summary | null; wakeAt: number | null } {
    const row = this.sql
      .exec<Row>("SELECT actor, kind, window_start, lines, suppressed FROM quiet_refusals WHERE actor = ? AND kind = ?", actor, kind)
      .toArray()[0];
    if (row && now < row.window_start + WINDOW_MS) {
      if (row.lines < LINES_PER_WINDOW) {
        this.sql.exec("UPDATE quiet_refusals SET lines = lines + 1 WHERE actor = ? AND kind = ?", actor, kind);
        return { write: true, summary: null, wakeAt: null };
      }
      this.sql.exec("UPDATE quiet_refusals SET suppressed = suppressed + 1 WHERE actor = ? AND kind = ?", actor, kind);
      return { write: false, summary: null, wakeAt: row.suppressed === 0 ? row.window_start + WINDOW_MS : null };
    }
    this.sql.exec(
      `INSERT INTO quiet_refusals (actor, kind, window_start, lines, suppressed) VALUES (?, ?, ?, 1, 0)
       ON CONFLICT (actor, kind) DO UPDATE SET window_start = excluded.window_start, lines = 1, suppressed = 0`,
      actor,
      kind,
      now,
    );
    return { write: true, summary: row && row.suppressed > 0 ? summaryOf(row, kind) : null, wakeAt: null };
  }

  /** Closes every window that has rolled: the summaries of those that counted anything. */
  rolled(now: number): Summary[] {
    const rows = this.sql
      .exec<Row>("SELECT actor, kind, window_start, lines, suppressed FROM quiet_refusals WHERE window_start <= ?", now - WINDOW_MS)
      .toArray();
    this.sql.exec("DELETE FROM quiet_refusals WHERE window_start <= ?", now - WINDOW_MS);
    return rows.filter((row) => row.suppressed > 0).map((row) => summaryOf(row, row.kind as AuditKind));
  }
}

function summaryOf(row: Row, kind: AuditKind): Summary {
  return { actor: row.actor, kind, more: row.suppressed, since: row.window_start };
}

/** The Gatekeeper's `gate.audit`: noise goes through the cap, everything else straight to the log. */
export function quietAudit(
  env: Env,
  quiet: QuietRefusals,
  now: () => number,
  wakeAt: (at: number) => Promise<void>,
  channel = "telegram",
): Gate["audit"] {
  return async (kind, actor, detail = {}) => {
    if (!isNoise(kind)) return recordAudit(env, { kind, channel, actor, detail });
    const verdict = quiet.admit(actor, kind, now());
    if (verdict.summary) await recordSummary(env, verdict.summary, channel);
    if (verdict.wakeAt !== null) await wakeAt(verdict.wakeAt);
    if (verdict.write) await recordAudit(env, { kind, channel, actor, detail });
  };
}

/** Writes the summaries of the windows that rolled by `now` (the drain calls this). */
export async function flushQuietRefusals(env: Env, quiet: QuietRefusals, now: number, channel = "telegram"): Promise<void> {
  for (const summary of quiet.rolled(now)) await recordSummary(env, summary, channel);
}

function recordSummary(env: Env, { actor, kind, more, since }: Summary, channel: string): Promise<void> {
  const at = new Date(since).toISOString();
  return recordAudit(env, { kind, channel, actor, detail: { more, since: at, summary: `${more} more since ${at}` } });
}
