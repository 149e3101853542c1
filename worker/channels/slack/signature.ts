import { constantTimeEqual } from "../../../shared/constant-time.js";

/** Slack's replay window: a request signed more than this far from now is refused. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

export type SignatureCheck = "ok" | "stale" | "bad";

const encoder = new TextEncoder();

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<raw body>`
 * with the signing secret, compared in constant time. The timestamp is checked first, so a
 * captured request cannot be replayed after the window.
 */
export async function checkSlackSignature(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: string,
  nowMs: number,
): Promise<SignatureCheck> {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return "stale";
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_S) return "stale";
  const expected = `v0=${await hmacHex(secret, `v0:${timestamp}:${rawBody}`)}`;
  return (await constantTimeEqual(signature ?? "", expected)) ? "ok" : "bad";
}

/** Hex HMAC-SHA256, as Slack computes it (exported for tests and the stand-in's signer). */
export async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
