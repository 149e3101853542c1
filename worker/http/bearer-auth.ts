import { createMiddleware } from "hono/factory";
import { constantTimeEqual } from "../../shared/constant-time.js";
import { ACCESS_JWT_HEADER, accessSettings, verifyAccessJwt } from "./access-jwt.js";
import { GatewayError } from "./gateway-error.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Admin routes: `Authorization: Bearer <GATEWAY_TOKEN>`, compared in constant time; or, with
 * Cloudflare Access configured (CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD), a valid
 * `Cf-Access-Jwt-Assertion`. Access's own cookie rides along on cross-site requests too, so a
 * change let in by Access alone must not carry a foreign Origin (403).
 */
export function bearerAuth() {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const expected = c.env.GATEWAY_TOKEN ?? "";
    if (match?.[1] && (await constantTimeEqual(match[1], expected))) return next();
    const access = accessSettings(c.env);
    const assertion = c.req.header(ACCESS_JWT_HEADER);
    if (access && assertion !== undefined && (await verifyAccessJwt(access, assertion))) {
      const origin = c.req.header("origin");
      if (!SAFE_METHODS.has(c.req.method) && origin !== undefined && origin !== new URL(c.req.url).origin) {
        throw new GatewayError(403, "forbidden", "refused: a change let in by Cloudflare Access must come from this gateway's own origin");
      }
      return next();
    }
    throw new GatewayError(401, "unauthorized", "missing or wrong bearer token");
  });
}
