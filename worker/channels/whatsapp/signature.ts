import { constantTimeEqual } from "../../../shared/constant-time.js";

const encoder = new TextEncoder();

/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed
 * with the app secret, compared in constant time. The bytes as received are what is signed (Meta
 * escapes non-ASCII as \uXXXX, and a re-serialised body would not match).
 */
export async function checkHubSignature(appSecret: string, header: string | undefined, rawBody: Uint8Array): Promise<boolean> {
  const expected = `sha256=${await hmacHex(appSecret, rawBody)}`;
  // Meta sends lower-case hex; a header in upper case is the same signature.
  const given = (header ?? "").trim().toLowerCase();
  return constantTimeEqual(given, expected);
}

/** Hex HMAC-SHA256 of bytes (or text, as UTF-8): exported for the tests' signer. */
export async function hmacHex(secret: string, message: Uint8Array | string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const data = typeof message === "string" ? encoder.encode(message) : message;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The verification handshake's token, compared in constant time (a wrong or missing token → 403). */
export function verifyTokenMatches(given: string | undefined, expected: string): Promise<boolean> {
  return constantTimeEqual(given ?? "", expected);
}
