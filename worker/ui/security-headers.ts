import { createMiddleware } from "hono/factory";

/**
 * Every Control UI response, pages, assets and errors alike: scripts and styles only from this
 * origin and never inline (a name that slipped past textContent still could not run), no framing,
 * no <base> or foreign form targets, no MIME sniffing, no Referer leaving the page, no caching of
 * what an owner saw.
 */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": UI_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-store",
};

export function uiSecurityHeaders() {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    await next();
    // Responses made elsewhere (a redirect, an error) may come with immutable headers: copy when needed.
    let response = c.res;
    try {
      for (const [name, value] of Object.entries(UI_SECURITY_HEADERS)) response.headers.set(name, value);
    } catch {
      response = new Response(response.body, response);
      for (const [name, value] of Object.entries(UI_SECURITY_HEADERS)) response.headers.set(name, value);
      c.res = response;
    }
  });
}
