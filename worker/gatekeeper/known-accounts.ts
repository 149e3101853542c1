/** A channel account the Worker has taken a verified delivery for. Times are ISO strings. */
export type KnownAccount = { account: string; firstSeen: string; lastSeen: string };

/** last_seen is refreshed at most this often, so a busy workspace does not write on every event. */
const REFRESH_MS = 60 * 60 * 1000;

/** The `known_accounts` table (Gatekeeper schema step 3). */
export class KnownAccounts {
  constructor(private readonly sql: SqlStorage) {}

  note(account: string, now: number): void {
    this.sql.exec(
      `INSERT INTO known_accounts (account, first_seen, last_seen) VALUES (?, ?, ?)
       ON CONFLICT (account) DO UPDATE SET last_seen = excluded.last_seen WHERE last_seen < ?`,
      ...[account, now, now, now - REFRESH_MS],
    );
  }

  list(): KnownAccount[] {
    return this.sql
      .exec<{ account: string; first_seen: number; last_seen: number }>("SELECT * FROM known_accounts ORDER BY first_seen, account")
      .toArray()
      .map((row) => ({
        account: row.account,
        firstSeen: new Date(row.first_seen).toISOString(),
        lastSeen: new Date(row.last_seen).toISOString(),
      }));
  }
}
