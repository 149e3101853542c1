/**
 * Replies Telegram did not take (down, slow, 429): kept in the Gatekeeper's SQLite and retried by
 * its alarm, in order per chat, so a Bot API outage delays an answer instead of losing it.
 */
export type UndeliveredReply = { seq: number; chatId: string; text: string; attempts: number; firstAt: number };

/** Backoff between tries: 2 s doubling up to 5 min, unless Telegram says how long to wait. */
export const RETRY_FIRST_MS = 2_000;
export const RETRY_MAX_MS = 5 * 60_000;
/** A reply still undelivered after this long is given up (and audited): a day-old answer is noise. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/** Bounded so an outage during a flood cannot grow storage without limit. */
export const MAX_UNDELIVERED = 500;

export function retryDelayMs(attempts: number, askedMs: number | null): number {
  return Math.min(RETRY_MAX_MS, Math.max(askedMs ?? 0, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1)));
}

/** The `undelivered_replies` table (created by the Gatekeeper's schema ladder, schema.ts). */
export class UndeliveredReplies {
  constructor(private readonly sql: SqlStorage) {}

  /** A chat with replies still waiting: a new reply queues behind them, keeping their order. */
  waitingFor(chatId: string): boolean {
    return this.sql.exec("SELECT 1 FROM undelivered_replies WHERE chat_id = ? LIMIT 1", chatId).toArray().length > 0;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM undelivered_replies").one().n;
  }

  add(chatId: string, text: string, attempts: number, now: number, nextAt: number): void {
    this.sql.exec(
      "INSERT INTO undelivered_replies (chat_id, text, attempts, first_at, next_at) VALUES (?, ?, ?, ?, ?)",
      chatId,
      text,
      attempts,
      now,
      nextAt,
    );
  }

  /** The oldest waiting reply of each chat whose turn has come (later ones wait for it). */
  due(now: number): UndeliveredReply[] {
    return this.sql
      .exec<{ seq: number; chat_id: string; text: string; attempts: number; first_at: number }>(
        `SELECT seq, chat_id, text, attempts, first_at FROM undelivered_replies
         WHERE seq IN (SELECT MIN(seq) FROM undelivered_replies GROUP BY chat_id) AND next_at <= ? ORDER BY seq`,
        now,
      )
      .toArray()
      .map((row) => ({ seq: row.seq, chatId: row.chat_id, text: row.text, attempts: row.attempts, firstAt: row.first_at }));
  }

  /** When the next waiting reply is due, or null when none waits. */
  nextDueAt(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(next_at) AS at FROM undelivered_replies WHERE seq IN (SELECT MIN(seq) FROM undelivered_replies GROUP BY chat_id)",
      )
      .one().at;
  }

  retryLater(seq: number, attempts: number, nextAt: number): void {
    this.sql.exec("UPDATE undelivered_replies SET attempts = ?, next_at = ? WHERE seq = ?", attempts, nextAt, seq);
  }

  remove(seq: number): void {
    this.sql.exec("DELETE FROM undelivered_replies WHERE seq = ?", seq);
  }
}
