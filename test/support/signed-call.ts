import { randomBytes } from "node:crypto";
import { calculateJwkThumbprint, importJWK, SignJWT, type JWK } from "jose";
import { CAPABILITY_ISSUER, CAPABILITY_JWT_TYPE, capabilityDigest } from "../../shared/tunnel/capability.js";
import type { SessionKey, ToolRequest } from "../../shared/tools/tool-call.js";

export type CapabilityClaimOverrides = { aud?: string; exp?: number; iat?: number; jti?: string; tool?: string; sub?: string };

export function publicHalf(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

/**
 * A capability exactly as the gateway signs one (worker/tunnel/capability-signer.ts), for runner
 * tests that play the gateway; `claims` override single claims to build attacks.
 */
export async function signCapability(
  signer: JWK,
  call: { runner: string; id: string; session: SessionKey; request: ToolRequest; timeoutMs: number },
  claims: CapabilityClaimOverrides = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    tool: claims.tool ?? call.request.tool,
    digest: await capabilityDigest({ session: call.session, request: call.request, timeoutMs: call.timeoutMs }),
  })
    .setProtectedHeader({ alg: "EdDSA", typ: CAPABILITY_JWT_TYPE, kid: await calculateJwkThumbprint(publicHalf(signer), "sha256") })
    .setIssuer(CAPABILITY_ISSUER)
    .setAudience(claims.aud ?? call.runner)
    .setSubject(claims.sub ?? call.session)
    .setJti(claims.jti ?? call.id)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 120)
    .sign(await importJWK(signer, "EdDSA"));
}

/** Numbered call frames for `runner`, each with a valid capability, as the gateway sends them. */
export class GatewayCalls {
  private seq = 0;

  constructor(
    private readonly signer: JWK,
    readonly runner: string,
  ) {}

  async frame(session: SessionKey, request: ToolRequest, timeoutMs: number) {
    const id = `${this.runner}_${randomBytes(12).toString("hex")}`;
    const capability = await signCapability(this.signer, { runner: this.runner, id, session, request, timeoutMs });
    return { type: "call", seq: ++this.seq, id, session, request, timeoutMs, capability };
  }
}
