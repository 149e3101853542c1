import { calculateJwkThumbprint, type JWK } from "jose";
import { z } from "zod";

/** A runner's public key as the admin API accepts it: Ed25519, public half only. */
export const RunnerPublicKey = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "x must be a 32-byte base64url value"),
    kid: z.string().optional(),
    alg: z.literal("EdDSA").optional(),
    use: z.literal("sig").optional(),
  })
  .strict();
export type RunnerPublicKey = z.infer<typeof RunnerPublicKey>;

export type StoredKey = { kid: string; jwk: JWK };

/** Schema of the RunnerHub's key table; applied once per object start. */
export function migrateRunnerKeys(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS runner_keys (
    kid TEXT PRIMARY KEY,
    jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  )`);
}

export async function addRunnerKey(sql: SqlStorage, key: RunnerPublicKey): Promise<string> {
  const jwk: JWK = { kty: key.kty, crv: key.crv, x: key.x };
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  sql.exec(
    "INSERT INTO runner_keys (kid, jwk, created_at) VALUES (?, ?, ?) ON CONFLICT(kid) DO NOTHING",
    kid,
    JSON.stringify(jwk),
    Date.now(),
  );
  return kid;
}

/** Exact-match lookup by thumbprint; revoked keys are invisible. */
export function findRunnerKey(sql: SqlStorage, kid: string): StoredKey | null {
  const row = sql.exec<{ jwk: string }>("SELECT jwk FROM runner_keys WHERE kid = ? AND revoked_at IS NULL", kid).toArray()[0];
  return row ? { kid, jwk: JSON.parse(row.jwk) as JWK } : null;
}

export function countRunnerKeys(sql: SqlStorage): number {
  const row = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM runner_keys WHERE revoked_at IS NULL").one();
  return row.n;
}
