import { createHash } from "node:crypto";
import { decodeProtectedHeader, errors, jwtVerify } from "jose";
import {
  CAPABILITY_ISSUER,
  CAPABILITY_JWT_TYPE,
  CAPABILITY_LIFETIME_SECONDS,
  CapabilityClaims,
  canonicalJson,
} from "../../shared/tunnel/capability.js";
import type { Call } from "../../shared/tunnel/protocol.js";
import type { PinnedGatewayKey } from "./gateway-key.js";

/**
 * The same SHA-256 as shared capabilityDigest (canonical JSON, UTF-8, base64url), computed in
 * place: WebCrypto's digest is a thread-pool job, and a burst of 1,000 calls queued 1,000 of them
 * in front of the file tools' own disk reads.
 */
export function argumentsDigest(call: Call): string {
  const canonical = canonicalJson({ session: call.session, request: call.request, timeoutMs: call.timeoutMs });
  return createHash("sha256").update(canonical, "utf8").digest("base64url");
}

export type CapabilityCheck = { ok: true } | { ok: false; reason: string };

const FORBIDDEN_HEADERS = ["jwk", "jku", "x5u", "x5c", "crit"];

/**
 * Checks the gateway's signature on one call before anything runs: signed by the pinned
 * gateway key (EdDSA only), addressed to this runner, for this call id, session and tool, over
 * exactly these arguments, and not expired. Replays are the journal's job (call ids are unique).
 */
export async function checkCapability(call: Call, runner: string, gateway: PinnedGatewayKey): Promise<CapabilityCheck> {
  if (!call.capability) return { ok: false, reason: "the call is unsigned" };
  let header;
  try {
    header = decodeProtectedHeader(call.capability);
  } catch {
    return { ok: false, reason: "the capability is not a JWS" };
  }
  if (FORBIDDEN_HEADERS.some((name) => name in header)) return { ok: false, reason: "the capability names its own key" };
  if (header.kid !== gateway.kid) return { ok: false, reason: "the capability is not signed by the pinned gateway key" };
  let payload;
  try {
    ({ payload } = await jwtVerify(call.capability, gateway.key, {
      algorithms: ["EdDSA"],
      typ: CAPABILITY_JWT_TYPE,
      issuer: CAPABILITY_ISSUER,
      requiredClaims: ["iss", "aud", "sub", "jti", "iat", "exp"],
      maxTokenAge: CAPABILITY_LIFETIME_SECONDS + 30,
      clockTolerance: 5,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: "the capability has expired" };
    if (error instanceof errors.JOSEError) return { ok: false, reason: `the capability is invalid (${error.code})` };
    throw error;
  }
  const claims = CapabilityClaims.safeParse(payload);
  if (!claims.success) return { ok: false, reason: "the capability's claims are malformed" };
  if (claims.data.aud !== runner) return { ok: false, reason: `the capability is addressed to runner "${claims.data.aud}", not this one` };
  if (claims.data.jti !== call.id) return { ok: false, reason: "the capability was issued for another call" };
  if (claims.data.sub !== call.session || claims.data.tool !== call.request.tool) {
    return { ok: false, reason: "the capability was issued for another session or tool" };
  }
  if (claims.data.digest !== argumentsDigest(call)) return { ok: false, reason: "the call's arguments were altered after signing" };
  return { ok: true };
}
