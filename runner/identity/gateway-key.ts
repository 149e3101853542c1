import { readFile, writeFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from "jose";
import { z } from "zod";

/** The gateway's public key as registration returns it. */
export const GatewayPublicJwk = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    kid: z.string().optional(),
    alg: z.literal("EdDSA").optional(),
    use: z.literal("sig").optional(),
  })
  .strip();
export type GatewayPublicJwk = z.infer<typeof GatewayPublicJwk>;

export type PinnedGatewayKey = { kid: string; key: CryptoKey; jwk: JWK };

export class GatewayKeyError extends Error {
  override readonly name = "GatewayKeyError";
}

export function gatewayKeyPath(stateDir: string): string {
  return join(stateDir, "gateway-key.json");
}

/**
 * Pins the gateway's capability key on first registration. A later registration that answers
 * with a different key is refused: that is either a new gateway or someone in the middle, and
 * the owner must decide (remove the pinned file to accept a new gateway).
 */
export async function pinGatewayKey(stateDir: string, answered: unknown): Promise<{ kid: string; pinned: "new" | "same" }> {
  const parsed = GatewayPublicJwk.safeParse(answered);
  if (!parsed.success) throw new GatewayKeyError("the gateway did not answer with an Ed25519 public key; is it up to date?");
  const jwk: JWK = { kty: parsed.data.kty, crv: parsed.data.crv, x: parsed.data.x };
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  const path = gatewayKeyPath(stateDir);
  const existing = await loadPinnedGatewayKey(stateDir).catch(() => null);
  if (existing) {
    if (existing.kid === kid) return { kid, pinned: "same" };
    throw new GatewayKeyError(
      `the gateway answered with key ${kid}, but ${path} pins ${existing.kid}. If you moved to a new gateway on purpose, delete ${path} and register again.`,
    );
  }
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify({ ...jwk, kid }, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, path);
  return { kid, pinned: "new" };
}

export async function loadPinnedGatewayKey(stateDir: string): Promise<PinnedGatewayKey> {
  const path = gatewayKeyPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new GatewayKeyError(`no pinned gateway key at ${path}; run \`drawbridge runner register\` first`);
  }
  const parsed = GatewayPublicJwk.safeParse(JSON.parse(text));
  if (!parsed.success) throw new GatewayKeyError(`${path} is not an Ed25519 public key`);
  const jwk: JWK = { kty: parsed.data.kty, crv: parsed.data.crv, x: parsed.data.x };
  return { kid: await calculateJwkThumbprint(jwk, "sha256"), key: (await importJWK(jwk, "EdDSA")) as CryptoKey, jwk };
}
