/**
 * Single-use tunnel values, kept in the hub's SQLite (tables of hub-schema.ts) so they stay used
 * after the Durable Object is evicted or the Worker restarts: the nonces the hub handed out, and
 * the `jti` of every runner token it accepted. Rows expire with the tokens they guard.
 */
export function issueNonce(sql: SqlStorage, nonce: string, expiresAt: number): void {
  sql.exec("INSERT INTO tunnel_nonces (nonce, expires_at) VALUES (?, ?)", nonce, expiresAt);
}

/** True exactly once per issued, unexpired nonce. */
export function consumeNonce(sql: SqlStorage, nonce: string, now = Date.now()): boolean {
  return sql.exec("UPDATE tunnel_nonces SET used = 1 WHERE nonce = ? AND used = 0 AND expires_at > ?", nonce, now).rowsWritten > 0;
}

/** Records a token id; false when it was seen before (a replay). */
export function rememberJti(sql: SqlStorage, jti: string, expiresAt: number): boolean {
  return sql.exec("INSERT INTO tunnel_jtis (jti, expires_at) VALUES (?, ?) ON CONFLICT(jti) DO NOTHING", jti, expiresAt).rowsWritten > 0;
}

/** Drops rows whose tokens would be refused as expired anyway. */
export function pruneReplayGuard(sql: SqlStorage, now = Date.now()): void {
  sql.exec("DELETE FROM tunnel_nonces WHERE expires_at <= ?", now);
  sql.exec("DELETE FROM tunnel_jtis WHERE expires_at <= ?", now);
}

/** Forgets a nonce nobody can use any more (its socket timed out before a hello). */
export function dropNonce(sql: SqlStorage, nonce: string): void {
  sql.exec("DELETE FROM tunnel_nonces WHERE nonce = ? AND used = 0", nonce);
}
