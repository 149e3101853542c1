import type { PairingRequest, PairingRows, PairingStatus } from "../../shared/access/pairing-store.js";

type Row = {
  account: string;
  code: string;
  sender_id: string;
  name: string;
  created_at: number;
  status: string;
  decided_at: number | null;
};

/**
 * Pairing requests in the Gatekeeper's SQLite; every call is synchronous, so each is atomic.
 * A request made in challenge mode also has a row in `pairing_challenges` (a table of its own, so
 * existing `pairing_requests` tables need no migration).
 */
export class SqlPairingRows implements PairingRows {
  constructor(private readonly sql: SqlStorage) {}

  list(account: string): PairingRequest[] {
    return this.sql
      .exec<Row & { challenge: number }>(
        `SELECT r.*, EXISTS (SELECT 1 FROM pairing_challenges c WHERE c.account = r.account AND c.code = r.code) AS challenge
         FROM pairing_requests r WHERE r.account = ? ORDER BY r.created_at, r.rowid`,
        account,
      )
      .toArray()
      .map((row) => ({
        account: row.account,
        code: row.code,
        senderId: row.sender_id,
        name: row.name,
        createdAt: row.created_at,
        status: row.status as PairingStatus,
        decidedAt: row.decided_at,
        mode: row.challenge ? "challenge" : "approve",
      }));
  }

  insert(request: PairingRequest): void {
    this.sql.exec(
      "INSERT INTO pairing_requests (account, code, sender_id, name, created_at, status, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      request.account,
      request.code,
      request.senderId,
      request.name,
      request.createdAt,
      request.status,
      request.decidedAt,
    );
    if (request.mode === "challenge") {
      this.sql.exec(
        "INSERT OR REPLACE INTO pairing_challenges (account, code, created_at) VALUES (?, ?, ?)",
        request.account,
        request.code,
        request.createdAt,
      );
    }
  }

  decide(account: string, code: string, status: Exclude<PairingStatus, "pending">, at: number): boolean {
    const cursor = this.sql.exec(
      "UPDATE pairing_requests SET status = ?, decided_at = ? WHERE account = ? AND code = ? AND status = 'pending'",
      status,
      at,
      account,
      code,
    );
    return cursor.rowsWritten > 0;
  }

  recordWrongAttempt(account: string, senderId: string, code: string, at: number): void {
    this.sql.exec("INSERT INTO pairing_attempts (account, sender_id, code, at) VALUES (?, ?, ?, ?)", account, senderId, code, at);
  }

  wrongAttempts(account: string, senderId: string, code: string, since: number): { perCode: number; perSender: number } {
    const row = this.sql
      .exec<{ per_code: number; per_sender: number }>(
        `SELECT COALESCE(SUM(code = ?), 0) AS per_code, COALESCE(SUM(sender_id = ? AND at >= ?), 0) AS per_sender
         FROM pairing_attempts WHERE account = ?`,
        code,
        senderId,
        since,
        account,
      )
      .one();
    return { perCode: row.per_code, perSender: row.per_sender };
  }

  /** Forgets requests and attempts older than `before`: nothing grows without bound. */
  prune(before: number): void {
    this.sql.exec("DELETE FROM pairing_requests WHERE created_at < ?", before);
    this.sql.exec("DELETE FROM pairing_challenges WHERE created_at < ?", before);
    this.sql.exec("DELETE FROM pairing_attempts WHERE at < ?", before);
  }
}
