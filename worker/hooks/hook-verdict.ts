/** Why a delivery was refused before anything was stored: each is a 401 to the sender and one (capped) audit line. */
export type HookRefusal = "signature_missing" | "signature_bad" | "timestamp_stale" | "token_bad";

/**
 * What verifying a delivery found. `id` is the sender's delivery id (dedupe key) when it sends
 * one; `event` what the sender says happened (GitHub's `X-GitHub-Event`), when it says so.
 */
export type HookVerdict = { ok: true; id: string | null; event: string | null } | { ok: false; reason: HookRefusal; message: string };

/** The hook's secret is set but unusable (e.g. not `whsec_<base64>`): the route is closed, as if it were missing. */
export class HookSecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HookSecretError";
  }
}

export function refused(reason: HookRefusal, message: string): HookVerdict {
  return { ok: false, reason, message };
}

/** A sender's id or event name as we keep it: printable ASCII without spaces, bounded; anything else is not an id. */
export function headerToken(value: string | null, max = 200): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  return /^[\x21-\x7e]+$/.test(trimmed) && trimmed.length <= max ? trimmed : null;
}

/** HMAC-SHA256 as a WebCrypto verify: the comparison inside is the platform's, in constant time. */
export async function hmacMatches(key: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (signature.length !== 32) return false;
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return await crypto.subtle.verify("HMAC", cryptoKey, signature, data);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Standard base64 to bytes, or null when it is not base64. */
export function base64Bytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
