import { base64Bytes, concatBytes, headerToken, hmacMatches, HookSecretError, refused, type HookVerdict } from "./hook-verdict.js";

/** The spec's tolerance: a timestamp more than five minutes from now, either way, is refused. */
export const TOLERANCE_SECONDS = 5 * 60;
const MAX_SIGNATURES = 10;

/** The key a `whsec_<base64>` secret stands for (the spec allows the prefix to be left off). */
export function standardWebhookKey(secret: string): Uint8Array {
  const key = base64Bytes(secret.trim().replace(/^whsec_/, ""));
  if (key === null || key.length === 0) throw new HookSecretError("is not a Standard Webhooks secret (whsec_<base64>)");
  return key;
}

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-signature` holds space-separated
 * `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<raw body>` under the secret's
 * decoded bytes; one match is enough (senders list several while rotating secrets). The
 * signature is checked before the timestamp, so a stale refusal is about a genuine delivery.
 */
export async function verifyStandardWebhook(secret: string, headers: Headers, body: Uint8Array, nowMs: number): Promise<HookVerdict> {
  const key = standardWebhookKey(secret);
  const id = headerToken(headers.get("webhook-id"));
  const timestamp = headers.get("webhook-timestamp")?.trim() ?? null;
  const signatures = headers.get("webhook-signature");
  if (id === null || timestamp === null || signatures === null) {
    return refused("signature_missing", "webhook-id, webhook-timestamp and webhook-signature are required");
  }
  if (!/^\d{1,12}$/.test(timestamp)) return refused("signature_bad", "webhook-timestamp is not a Unix time in seconds");
  const signed = concatBytes(new TextEncoder().encode(`${id}.${timestamp}.`), body);
  let matched = false;
  for (const entry of signatures.trim().split(/\s+/).slice(0, MAX_SIGNATURES)) {
    const [version, value] = entry.split(",", 2);
    const bytes = version === "v1" && value !== undefined ? base64Bytes(value) : null;
    if (bytes !== null && (await hmacMatches(key, signed, bytes))) matched = true;
  }
  if (!matched) return refused("signature_bad", "no webhook-signature matches this hook's secret");
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    return refused("timestamp_stale", `webhook-timestamp is more than ${TOLERANCE_SECONDS / 60} minutes from now`);
  }
  return { ok: true, id, event: null };
}
