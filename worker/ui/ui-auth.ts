import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { ACCESS_JWT_HEADER, accessSettings, verifyAccessJwt } from "../http/access-jwt.js";
import { GatewayError } from "../http/gateway-error.js";
import { uiSessionsStub } from "../objects/stubs.js";
import { readSessionCookie, SESSION_COOKIE } from "./session-cookie.js";

export type UiVariables = { uiSession: string | null };

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The open session a request's cookie names, or null (no cookie, forged, expired or signed out). */
export async function openSessionOf(env: Env, cookie: string | undefined): Promise<string | null> {
  if (!cookie) return null;
  const now = nowSeconds();
  const claim = await readSessionCookie(env, cookie, now);
  if (!claim) return null;
  return (await uiSessionsStub(env).isOpen(claim.sessionId, now)) ? claim.sessionId : null;
}

/**
 * The Control UI's door: a valid Cloudflare Access assertion (when Access is configured) or an
 * open session cookie. Pages send a browser without either to the sign-in form; data calls get 401.
 * An Access assertion that is present but invalid is refused outright, whatever cookie comes with it.
 */
export function uiSignedIn(kind: "page" | "api") {
  return createMiddleware<{ Bindings: Env; Variables: UiVariables }>(async (c, next) => {
    const access = accessSettings(c.env);
    const assertion = c.req.header(ACCESS_JWT_HEADER);
    if (access && assertion !== undefined) {
      if (!(await verifyAccessJwt(access, assertion))) {
        throw new GatewayError(401, "unauthorized", "the Cloudflare Access assertion is not valid for this gateway");
      }
      c.set("uiSession", null);
      return next();
    }
    const session = await openSessionOf(c.env, getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (kind === "page") return c.redirect("/ui/sign-in", 303);
      throw new GatewayError(401, "unauthorized", "sign in to the Control UI first (/ui/sign-in)");
    }
    c.set("uiSession", session);
    await next();
  });
}
