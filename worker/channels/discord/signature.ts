/** How far a signed timestamp may be from now. Discord signs every request as it sends it; older is a replay. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

export type SignatureCheck = "ok" | "stale" | "bad";

const encoder = new TextEncoder();

/**
 * Discord's request signature: Ed25519 over `X-Signature-Timestamp` + the raw body, checked with
 * the application's public key (hex) through WebCrypto (workerd has Ed25519). The timestamp is
 * checked first, so a captured request cannot be replayed after the window; malformed hex is
 * simply a bad signature.
 */
export async function checkDiscordSignature(
  publicKeyHex: string,
  timestamp: string | undefined,
  signatureHex: string | undefined,
  rawBody: string,
  nowMs: number,
): Promise<SignatureCheck> {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return "stale";
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_S) return "stale";
  const key = bytesOfHex(publicKeyHex.trim(), 32);
  const signature = bytesOfHex(signatureHex ?? "", 64);
  if (!key || !signature) return "bad";
  try {
    const publicKey = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
    return (await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature, encoder.encode(timestamp + rawBody))) ? "ok" : "bad";
  } catch {
    return "bad";
  }
}

/** Exactly `length` bytes of hex, or null. */
export function bytesOfHex(hex: string, length: number): Uint8Array | null {
  if (!new RegExp(`^[0-9a-fA-F]{${length * 2}}$`).test(hex)) return null;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
