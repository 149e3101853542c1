import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";

/**
 * Cloudflare Access in front of the gateway (docs/control-ui.md): with CF_ACCESS_TEAM_DOMAIN and
 * CF_ACCESS_AUD set, a request that Access let through carries `Cf-Access-Jwt-Assertion`, an RS256
 * JWT signed by the team's keys (`https://<team domain>/cdn-cgi/access/certs`). It is checked here
 * — signature by a key the team publishes, RS256 only (so `alg: none` and HMAC tricks fail), our
 * application's audience, the team as issuer, not expired — never trusted because it is present.
 */
export const ACCESS_JWT_HEADER = "cf-access-jwt-assertion";

export type AccessSettings = { teamDomain: string; audience: string; certsUrl: string };

/** The Access settings, or null when Access is off (either var unset). */
export function accessSettings(env: Env): AccessSettings | null {
  const teamDomain = (env.CF_ACCESS_TEAM_DOMAIN ?? "")
    .trim()
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "");
  const audience = (env.CF_ACCESS_AUD ?? "").trim();
  if (!teamDomain || !audience) return null;
  // CF_ACCESS_CERTS_URL exists for tests (a local JWKS stand-in); production leaves it unset.
  const certsUrl = (env.CF_ACCESS_CERTS_URL ?? "").trim() || `https://${teamDomain}/cdn-cgi/access/certs`;
  return { teamDomain, audience, certsUrl };
}

// One key set per certs URL per isolate: jose caches the keys and refetches when an unknown kid shows up.
const keySets = new Map<string, JWTVerifyGetKey>();

function keySetFor(url: string): JWTVerifyGetKey {
  let keys = keySets.get(url);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000 });
    keySets.set(url, keys);
  }
  return keys;
}

/** Who Access says is asking (their email when the token names one). */
export type AccessIdentity = { subject: string };

/** The identity in a valid assertion; null for any invalid one (the caller answers 401). */
export async function verifyAccessJwt(settings: AccessSettings, token: string): Promise<AccessIdentity | null> {
  if (token.length > 8192) return null;
  try {
    const { payload } = await jwtVerify(token, keySetFor(settings.certsUrl), {
      algorithms: ["RS256"],
      audience: settings.audience,
      issuer: `https://${settings.teamDomain}`,
      requiredClaims: ["exp"],
    });
    const email = typeof payload.email === "string" ? payload.email : null;
    return { subject: email ?? payload.sub ?? "access" };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    // A JWKS that cannot be fetched is a refusal too, logged so the owner can see why.
    console.error(JSON.stringify({ event: "access.jwks_unavailable", error: String(error) }));
    return null;
  }
}
