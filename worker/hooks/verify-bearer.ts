import { constantTimeEqual } from "../../shared/constant-time.js";
import { refused, type HookVerdict } from "./hook-verdict.js";

/**
 * For senders that cannot sign: `Authorization: Bearer <the hook's secret>`, compared in constant
 * time. Weaker than a signature (the token travels with every request, and nothing binds it to
 * the body or a time), so there is no id to dedupe by and no replay window.
 */
export async function verifyBearer(secret: string, headers: Headers): Promise<HookVerdict> {
  const header = headers.get("authorization");
  const token = header === null ? null : /^Bearer +(\S+)$/i.exec(header.trim())?.[1];
  if (token === null || token === undefined) return refused("signature_missing", "Authorization: Bearer <token> is required");
  if (!(await constantTimeEqual(token, secret.trim()))) return refused("token_bad", "the bearer token does not match this hook's");
  return { ok: true, id: null, event: null };
}
