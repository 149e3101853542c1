import { createMiddleware } from "hono/factory";
import { GatewayError } from "../http/gateway-error.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request that changes something came from a page of this gateway: its `Origin` must be
 * our own (a browser always sends it on a POST, PUT or DELETE), and `Sec-Fetch-Site`, when sent,
 * must not say another site. SameSite=Strict already keeps the cookie off cross-site requests;
 * this is the second lock, and the one that holds for Access, whose cookie is not Strict.
 */
export function sameOriginRequest(method: string, url: string, headers: { origin?: string; fetchSite?: string }): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  if (headers.fetchSite !== undefined && headers.fetchSite !== "same-origin" && headers.fetchSite !== "none") return false;
  return headers.origin !== undefined && headers.origin === new URL(url).origin;
}

/** Refuses (403) a state-changing request whose Origin is missing or foreign; nothing behind it runs. */
export function sameOrigin() {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const same = sameOriginRequest(c.req.method, c.req.url, {
      origin: c.req.header("origin"),
      fetchSite: c.req.header("sec-fetch-site"),
    });
    if (!same) throw new GatewayError(403, "forbidden", "refused: this request did not come from the Control UI's own pages");
    await next();
  });
}
