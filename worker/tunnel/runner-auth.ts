import { decodeProtectedHeader, errors, importJWK, jwtVerify } from "jose";
import { RUNNER_JWT_TYPE, RUNNER_TOKEN_MAX_AGE_SECONDS, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import type { StoredKey } from "./runner-keys.js";

export type RunnerAuth = { ok: true; kid: string; jti: string } | { ok: false; reason: string };

/**
 * Verifies the hello token against the runner's registered keys and the nonce this
 * socket was challenged with. Every option is explicit: EdDSA only, our `typ`, our
 * audience, this runner as subject, a short lifetime and all claims present.
 */
export async function verifyRunnerToken(
  token: string,
  expected: { runner: string; nonce: string },
  lookupKey: (kid: string) => StoredKey | null,
): Promise<RunnerAuth> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { ok: false, reason: "token is not a JWS" };
  }
  if (!kid) return { ok: false, reason: "token has no kid" };
  const stored = lookupKey(kid);
  if (!stored) return { ok: false, reason: "key is not registered for this runner" };
  try {
    const key = await importJWK(stored.jwk, "EdDSA");
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      typ: RUNNER_JWT_TYPE,
      audience: TUNNEL_AUDIENCE,
      subject: expected.runner,
      requiredClaims: ["exp", "iat", "jti", "sub", "nonce"],
      maxTokenAge: RUNNER_TOKEN_MAX_AGE_SECONDS,
      clockTolerance: 5,
    });
    if (payload.nonce !== expected.nonce) return { ok: false, reason: "token answers a different challenge" };
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > RUNNER_TOKEN_MAX_AGE_SECONDS) {
      return { ok: false, reason: `token lifetime exceeds ${RUNNER_TOKEN_MAX_AGE_SECONDS}s` };
    }
    return { ok: true, kid, jti: String(payload.jti) };
  } catch (error) {
    if (error instanceof errors.JOSEError) return { ok: false, reason: `${error.code}: ${error.message}` };
    throw error;
  }
}
