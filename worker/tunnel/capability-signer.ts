import { calculateJwkThumbprint, importJWK, SignJWT, type JWK } from "jose";
import { z } from "zod";
import {
  CAPABILITY_ISSUER,
  CAPABILITY_JWT_TYPE,
  CAPABILITY_LIFETIME_SECONDS,
  capabilityDigest,
  type CapabilityScope,
} from "../../shared/tunnel/capability.js";
import { GatewayError } from "../http/gateway-error.js";

/** GATEWAY_SIGNING_KEY: an Ed25519 private JWK. */
const SigningJwk = z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string().min(43), d: z.string().min(43) });

/** The gateway's public key as runners pin it. */
export type GatewayPublicKey = { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA"; use: "sig" };

export type CapabilitySigner = {
  publicKey: GatewayPublicKey;
  sign(runner: string, callId: string, scope: CapabilityScope, notAfterMs?: number): Promise<string>;
};

const cache = new Map<string, Promise<CapabilitySigner>>();

/**
 * Loads the signer from the secret, once per isolate. A missing or malformed secret is an error
 * that names it: calls are never sent unsigned.
 */
export function capabilitySigner(env: Env): Promise<CapabilitySigner> {
  const secret = env.GATEWAY_SIGNING_KEY?.trim();
  if (!secret) {
    return Promise.reject(
      new GatewayError(
        503,
        "secret_missing",
        "GATEWAY_SIGNING_KEY is not set, so no call can be signed. Set it with `wrangler secret put GATEWAY_SIGNING_KEY` (an Ed25519 private JWK).",
      ),
    );
  }
  let signer = cache.get(secret);
  if (!signer) {
    signer = load(secret);
    cache.set(secret, signer);
    signer.catch(() => cache.delete(secret));
  }
  return signer;
}

async function load(secret: string): Promise<CapabilitySigner> {
  let jwk: z.infer<typeof SigningJwk>;
  try {
    jwk = SigningJwk.parse(JSON.parse(secret));
  } catch {
    throw new GatewayError(503, "config_invalid", 'GATEWAY_SIGNING_KEY is not an Ed25519 private JWK ({"kty":"OKP","crv":"Ed25519",…}).');
  }
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const kid = await calculateJwkThumbprint(publicJwk, "sha256");
  const privateKey = await importJWK({ ...jwk }, "EdDSA");
  return {
    publicKey: { kty: "OKP", crv: "Ed25519", x: jwk.x, kid, alg: "EdDSA", use: "sig" },
    async sign(runner, callId, scope, notAfterMs) {
      const now = Math.floor(Date.now() / 1000);
      const cap = now + CAPABILITY_LIFETIME_SECONDS;
      const exp = notAfterMs === undefined ? cap : Math.max(now + 1, Math.min(cap, Math.floor(notAfterMs / 1000)));
      return new SignJWT({ tool: scope.request.tool, digest: await capabilityDigest(scope) })
        .setProtectedHeader({ alg: "EdDSA", typ: CAPABILITY_JWT_TYPE, kid })
        .setIssuer(CAPABILITY_ISSUER)
        .setAudience(runner)
        .setSubject(scope.session)
        .setJti(callId)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(privateKey);
    },
  };
}
