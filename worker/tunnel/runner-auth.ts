import { decodeProtectedHeader, errors, importJWK, jwtVerify, type JWTPayload } from "jose";
import { ROTATION_JWT_TYPE, RUNNER_JWT_TYPE, RUNNER_TOKEN_MAX_AGE_SECONDS, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import type { StoredKey } from "./runner-keys.js";

export type RunnerAuth = { ok: true; kid: string; jti: string; exp: number; payload: JWTPayload } | { ok: false; reason: string };

/** A kid is an RFC 7638 SHA-256 thumbprint; anything else (paths, URLs, SQL) is refused before lookup. */
const KID = /^[A-Za-z0-9_-]{43}$/;
/** Header parameters that point a verifier at a key of the sender's choosing. */
const FORBIDDEN_HEADERS = ["jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "crit"];

/**
 * Verifies a runner-signed token against the runner's registered keys. Every option is
 * explicit: EdDSA only, the expected `typ`, our audience, this runner as subject, a short
 * lifetime and all claims present. The caller checks replays (`jti`) and the nonce.
 */
export async function verifyRunnerJwt(
  token: string,
  expected: { runner: string; typ: string; claims: string[] },
  lookupKey: (kid: string) => StoredKey | null,
): Promise<RunnerAuth> {
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: "token is not a JWS" };
  }
  const forbidden = FORBIDDEN_HEADERS.find((name) => name in header);
  if (forbidden) return { ok: false, reason: `token carries a "${forbidden}" header; keys are looked up, never taken from the token` };
  if (header.alg !== "EdDSA") return { ok: false, reason: `alg ${String(header.alg)} is not accepted` };
  const kid = header.kid;
  if (typeof kid !== "string" || !KID.test(kid)) return { ok: false, reason: "token has no valid kid" };
  const stored = lookupKey(kid);
  if (!stored) return { ok: false, reason: "key is not registered for this runner (or was revoked)" };
  try {
    const key = await importJWK(stored.jwk, "EdDSA");
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      typ: expected.typ,
      audience: TUNNEL_AUDIENCE,
      subject: expected.runner,
      requiredClaims: ["exp", "iat", "jti", "sub", "aud", ...expected.claims],
      maxTokenAge: RUNNER_TOKEN_MAX_AGE_SECONDS,
      clockTolerance: 5,
    });
    const exp = payload.exp ?? 0;
    if (exp - (payload.iat ?? 0) > RUNNER_TOKEN_MAX_AGE_SECONDS) {
      return { ok: false, reason: `token lifetime exceeds ${RUNNER_TOKEN_MAX_AGE_SECONDS}s` };
    }
    const jti = payload.jti;
    if (typeof jti !== "string" || jti.length < 8 || jti.length > 128) return { ok: false, reason: "jti must be 8–128 characters" };
    return { ok: true, kid, jti, exp, payload };
  } catch (error) {
    if (error instanceof errors.JOSEError) return { ok: false, reason: `${error.code}: ${error.message}` };
    throw error;
  }
}

/** The hello token: a runner-signed answer to this socket's nonce. */
export async function verifyRunnerToken(
  token: string,
  expected: { runner: string; nonce: string },
  lookupKey: (kid: string) => StoredKey | null,
): Promise<RunnerAuth> {
  const auth = await verifyRunnerJwt(token, { runner: expected.runner, typ: RUNNER_JWT_TYPE, claims: ["nonce"] }, lookupKey);
  if (auth.ok && auth.payload.nonce !== expected.nonce) return { ok: false, reason: "token answers a different challenge" };
  return auth;
}

/** A rotation request: the runner's live key vouches for `newKey`. */
export function verifyRotationToken(token: string, runner: string, lookupKey: (kid: string) => StoredKey | null): Promise<RunnerAuth> {
  return verifyRunnerJwt(token, { runner, typ: ROTATION_JWT_TYPE, claims: ["newKey"] }, lookupKey);
}
