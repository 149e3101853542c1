import { headerToken, hmacMatches, refused, type HookVerdict } from "./hook-verdict.js";

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` under the webhook's
 * secret as UTF-8. The delivery id (`X-GitHub-Delivery`, kept on redelivery) is the dedupe key;
 * the event is `X-GitHub-Event`.
 */
export async function verifyGithub(secret: string, headers: Headers, body: Uint8Array): Promise<HookVerdict> {
  const header = headers.get("x-hub-signature-256");
  if (header === null) return refused("signature_missing", "X-Hub-Signature-256 is required");
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header.trim())?.[1];
  if (hex === undefined) return refused("signature_bad", "X-Hub-Signature-256 is not sha256=<64 hex digits>");
  const signature = Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  if (!(await hmacMatches(new TextEncoder().encode(secret), body, signature))) {
    return refused("signature_bad", "X-Hub-Signature-256 does not match this hook's secret");
  }
  return { ok: true, id: headerToken(headers.get("x-github-delivery")), event: headerToken(headers.get("x-github-event"), 64) };
}
