/**
 * The Control UI's session cookie: `<session id>.<expiry>.<mac>`. The MAC is HMAC-SHA256 under a
 * key derived (HKDF) from the gateway's secrets — never the token itself, which the browser sees
 * only once, in the sign-in form. A cookie is good while its MAC verifies, its expiry is ahead and
 * its session row is still open (ui-sessions.ts): sign-out closes the row, so a copied cookie
 * stops working then too.
 */
export const SESSION_COOKIE = "drawbridge_ui";
export const SESSION_SECONDS = 12 * 60 * 60;

const encoder = new TextEncoder();
const SESSION_ID = /^[0-9a-f]{32}$/;

/** A fresh key per call is cheap (HKDF is one HMAC pass) and keeps no secret in module state. */
async function cookieKey(env: Env): Promise<CryptoKey> {
  // Both secrets feed the key: rotating either one signs every browser out.
  const material = encoder.encode(`${env.GATEWAY_SIGNING_KEY ?? ""}\n${env.GATEWAY_TOKEN ?? ""}`);
  const base = await crypto.subtle.importKey("raw", material, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("drawbridge control ui"), info: encoder.encode("session cookie v1") },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

function base64url(bytes: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The cookie value for a session ending at `expiresAt` (unix seconds). */
export async function signSessionCookie(env: Env, sessionId: string, expiresAt: number): Promise<string> {
  const payload = `${sessionId}.${expiresAt}`;
  const mac = await crypto.subtle.sign("HMAC", await cookieKey(env), encoder.encode(`v1.${payload}`));
  return `${payload}.${base64url(mac)}`;
}

export type SessionClaim = { sessionId: string; expiresAt: number };

/** The session a cookie names, when its MAC verifies (constant time) and it has not expired; else null. */
export async function readSessionCookie(env: Env, value: string, nowSeconds: number): Promise<SessionClaim | null> {
  const [sessionId, expiry, mac, ...rest] = value.split(".");
  if (rest.length > 0 || !sessionId || !expiry || !mac || !SESSION_ID.test(sessionId) || !/^\d{1,12}$/.test(expiry)) return null;
  const signature = fromBase64url(mac);
  if (!signature) return null;
  const valid = await crypto.subtle.verify("HMAC", await cookieKey(env), signature, encoder.encode(`v1.${sessionId}.${expiry}`));
  const expiresAt = Number(expiry);
  if (!valid || expiresAt <= nowSeconds) return null;
  return { sessionId, expiresAt };
}
