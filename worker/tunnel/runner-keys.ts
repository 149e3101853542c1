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

/** Rotation overlaps the old and the new key; never more than this many are live at once. */
export const MAX_LIVE_KEYS = 2;

export type StoredKey = { kid: string; jwk: JWK };
export type KeyInfo = { kid: string; createdAt: number };

/** The public half as stored in `runner_keys` (the hub's schema ladder, hub-schema.ts): what `thumbprint` keeps. */
const StoredJwk = RunnerPublicKey.pick({ kty: true, crv: true, x: true });

export async function thumbprint(key: RunnerPublicKey): Promise<{ kid: string; jwk: JWK }> {
  const jwk: JWK = { kty: key.kty, crv: key.crv, x: key.x };
  return { kid: await calculateJwkThumbprint(jwk, "sha256"), jwk };
}

export type AddKeyResult = { ok: true; kid: string; added: boolean } | { ok: false; reason: "revoked" | "limit"; kid: string };

/**
 * Adds a key unless it is already live (then it is a no-op), was revoked before (a revoked key
 * never comes back), or the runner already has MAX_LIVE_KEYS live keys.
 */
export async function addRunnerKey(sql: SqlStorage, key: RunnerPublicKey): Promise<AddKeyResult> {
  const { kid, jwk } = await thumbprint(key);
  const existing = sql.exec<{ revoked_at: number | null }>("SELECT revoked_at FROM runner_keys WHERE kid = ?", kid).toArray()[0];
  if (existing) return existing.revoked_at === null ? { ok: true, kid, added: false } : { ok: false, reason: "revoked", kid };
  if (liveKeys(sql).length >= MAX_LIVE_KEYS) return { ok: false, reason: "limit", kid };
  sql.exec("INSERT INTO runner_keys (kid, jwk, created_at) VALUES (?, ?, ?)", kid, JSON.stringify(jwk), Date.now());
  return { ok: true, kid, added: true };
}

/** Exact-match lookup by thumbprint; revoked keys are invisible. */
export function findRunnerKey(sql: SqlStorage, kid: string): StoredKey | null {
  const row = sql.exec<{ jwk: string }>("SELECT jwk FROM runner_keys WHERE kid = ? AND revoked_at IS NULL", kid).toArray()[0];
  return row ? { kid, jwk: StoredJwk.parse(JSON.parse(row.jwk)) } : null;
}

export function liveKeys(sql: SqlStorage): KeyInfo[] {
  return sql
    .exec<{ kid: string; created_at: number }>("SELECT kid, created_at FROM runner_keys WHERE revoked_at IS NULL ORDER BY created_at")
    .toArray()
    .map((row) => ({ kid: row.kid, createdAt: row.created_at }));
}

/** Keys ever registered, revoked ones included: zero means no runner by this name exists. */
export function countAllKeys(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM runner_keys").one().n;
}

/** Marks a key revoked; true if it was live. */
export function revokeRunnerKey(sql: SqlStorage, kid: string): boolean {
  return sql.exec("UPDATE runner_keys SET revoked_at = ? WHERE kid = ? AND revoked_at IS NULL", Date.now(), kid).rowsWritten > 0;
}
