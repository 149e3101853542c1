/**
 * The clock the hub's socket deadlines (authentication, close grace) run on: the real one, unless
 * a test has stopped it at an instant. The stopped instant is kept in the hub's SQLite, so it
 * holds even when the runtime evicts the hub between a test's steps (hibernating sockets allow
 * that), which an in-memory clock would not survive.
 */
const KEY = "socketClockMs";

export class SocketClock {
  /** Read on first use: the constructor runs before the hub's migrations have made the table. */
  private stoppedAt: number | null | undefined;

  constructor(private readonly sql: SqlStorage) {}

  now(): number {
    if (this.stoppedAt === undefined) {
      const row = this.sql.exec<{ value: string }>("SELECT value FROM hub_settings WHERE key = ?", KEY).toArray()[0];
      this.stoppedAt = row ? Number(row.value) : null;
    }
    return this.stoppedAt ?? Date.now();
  }

  /** Stops the clock at `at` (tests); null lets it run with the real clock again. */
  stopAt(at: number | null): void {
    this.stoppedAt = at;
    if (at === null) this.sql.exec("DELETE FROM hub_settings WHERE key = ?", KEY);
    else
      this.sql.exec(
        "INSERT INTO hub_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        KEY,
        String(at),
      );
  }
}
