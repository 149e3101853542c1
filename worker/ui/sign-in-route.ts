import { Hono, type Context } from "hono";
import { getCookie } from "hono/cookie";
import { constantTimeEqual } from "../../shared/constant-time.js";
import { recordAudit } from "../audit/record-audit.js";
import { adminBodyLimit } from "../http/admin-body-limit.js";
import { requireSecrets } from "../http/require-secrets.js";
import { uiSessionsStub } from "../objects/stubs.js";
import { signInPage } from "./assets/sign-in-html.js";
import { newSessionId, readSessionCookie, SESSION_COOKIE, SESSION_SECONDS, signSessionCookie } from "./session-cookie.js";
import { clearSessionCookie, setSessionCookie } from "./session-cookie-header.js";
import { nowSeconds } from "./ui-auth.js";
import { sameOrigin } from "./same-origin.js";

/** Where a sign-in came from, as Cloudflare tells it (absent locally). */
function clientOf(c: Context): string | null {
  return c.req.header("cf-connecting-ip")?.slice(0, 64) ?? null;
}

/** A token is a line of text; anything near this size is not one. */
const SIGN_IN_BODY_MAX_BYTES = 4096;

/**
 * `GET /ui/sign-in` (the form), `POST /ui/sign-in` (form-encoded `token` → session cookie, 303 to
 * /ui), `POST /ui/sign-out` (closes the session on the server, clears the cookie). Both POSTs
 * need our own Origin: another site can neither sign a browser in to its session nor out.
 */
export const signInRoute = new Hono<{ Bindings: Env }>()
  .get("/sign-in", (c) => c.html(signInPage(c.req.query("signed-out") === undefined ? null : "signed-out")))
  .post("/sign-in", requireSecrets(["GATEWAY_TOKEN"]), sameOrigin(), adminBodyLimit(SIGN_IN_BODY_MAX_BYTES), async (c) => {
    const sessions = uiSessionsStub(c.env);
    const now = nowSeconds();
    const source = clientOf(c) ?? "local";
    if (!(await sessions.signInAllowed(now, source))) return c.html(signInPage("throttled"), 429);
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token.trim() : "";
    if (!(await constantTimeEqual(token, c.env.GATEWAY_TOKEN ?? ""))) {
      await sessions.signInFailed(now, source);
      await recordAudit(c.env, { kind: "ui.sign_in_failed", channel: "ui", actor: "ui", detail: { from: clientOf(c) } });
      return c.html(signInPage("wrong"), 401);
    }
    const sessionId = newSessionId();
    const expiresAt = now + SESSION_SECONDS;
    await sessions.open(sessionId, now, expiresAt);
    setSessionCookie(c, await signSessionCookie(c.env, sessionId, expiresAt));
    // The session id is not a secret by itself (the cookie's MAC is), but a prefix is all the log needs.
    const detail = { session: sessionId.slice(0, 8), from: clientOf(c) };
    await recordAudit(c.env, { kind: "ui.signed_in", channel: "ui", actor: "admin", detail });
    return c.redirect("/ui", 303);
  })
  .post("/sign-out", sameOrigin(), async (c) => {
    const claim = await readSessionCookie(c.env, getCookie(c, SESSION_COOKIE) ?? "", nowSeconds());
    if (claim && (await uiSessionsStub(c.env).close(claim.sessionId, nowSeconds()))) {
      await recordAudit(c.env, { kind: "ui.signed_out", channel: "ui", actor: "admin", detail: { session: claim.sessionId.slice(0, 8) } });
    }
    clearSessionCookie(c);
    return c.redirect("/ui/sign-in?signed-out", 303);
  });
