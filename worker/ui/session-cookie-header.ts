import type { Context } from "hono";
import { setCookie, deleteCookie } from "hono/cookie";
import { SESSION_COOKIE, SESSION_SECONDS } from "./session-cookie.js";

/** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), scoped to /ui, Secure over https. */
function cookieOptions(c: Context) {
  return {
    path: "/ui",
    httpOnly: true,
    sameSite: "Strict" as const,
    secure: new URL(c.req.url).protocol === "https:",
  };
}

export function setSessionCookie(c: Context, value: string): void {
  setCookie(c, SESSION_COOKIE, value, { ...cookieOptions(c), maxAge: SESSION_SECONDS });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}
