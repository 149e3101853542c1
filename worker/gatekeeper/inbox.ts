/**
 * Telegram re-sends an update until it gets a 200 and may send one twice; after a quiet week
 * it restarts ids at random. So ids are remembered for a day (Telegram gives up on an update
 * after 24 hours), long enough to catch every re-send, short enough never to eat a fresh id.
 */
export const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Where an update is in processing; a crash leaves the last stage written. */
export type InboxStage = "new" | "started" | "tool_call";

export type InboxEntry = { seq: number; updateId: number; body: string; attempts: number; stage: InboxStage };

/** The durable inbox: every accepted update is here until it has been handled. */
export class Inbox {
  constructor(private readonly sql: SqlStorage) {}

  /** Stores the update unless its id was seen; synchronous, so two deliveries cannot both win. */
  accept(updateId: number, body: string, now: number): boolean {
    const seen = this.sql.exec("INSERT OR IGNORE INTO seen_updates (update_id, seen_at) VALUES (?, ?)", updateId, now);
    if (seen.rowsWritten === 0) return false;
    this.sql.exec("INSERT INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)", updateId, body, now);
    return true;
  }

  /** Oldest first: replies go out in the order people wrote. */
  next(): InboxEntry | null {
    const row = this.sql
      .exec<{ seq: number; update_id: number; body: string; attempts: number; stage: string }>(
        "SELECT seq, update_id, body, attempts, stage FROM inbox ORDER BY seq LIMIT 1",
      )
      .toArray()[0];
    if (!row) return null;
    const stage: InboxStage = row.stage === "started" || row.stage === "tool_call" ? row.stage : "new";
    return { seq: row.seq, updateId: row.update_id, body: row.body, attempts: row.attempts, stage };
  }

  mark(seq: number, stage: InboxStage): void {
    this.sql.exec(
      "UPDATE inbox SET stage = ?, attempts = attempts + (CASE WHEN ? = 'started' THEN 1 ELSE 0 END) WHERE seq = ?",
      stage,
      stage,
      seq,
    );
  }

  done(seq: number): void {
    this.sql.exec("DELETE FROM inbox WHERE seq = ?", seq);
  }

  depth(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM inbox").one().n;
  }

  forgetSeenBefore(before: number): void {
    this.sql.exec("DELETE FROM seen_updates WHERE seen_at < ?", before);
  }
}
