import { z } from "zod";
import type { SessionKey, ToolRequest } from "../tools/tool-call.js";

/** JWT type, issuer and audience prefix of a per-call capability the gateway signs. */
export const CAPABILITY_JWT_TYPE = "drawbridge-capability+jwt";
export const CAPABILITY_ISSUER = "drawbridge/gateway";
/** A capability is signed when the call is sent and lives this long (re-signed on every re-send). */
export const CAPABILITY_LIFETIME_SECONDS = 120;

/** The claims a runner checks besides the standard ones (iss, aud = runner, jti = call id, iat, exp). */
export const CapabilityClaims = z
  .object({
    iss: z.literal(CAPABILITY_ISSUER),
    aud: z.string(),
    sub: z.string(),
    jti: z.string(),
    iat: z.number().int(),
    exp: z.number().int(),
    tool: z.string(),
    digest: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  })
  .strict();
export type CapabilityClaims = z.infer<typeof CapabilityClaims>;

/** What a capability binds beyond runner and call id: everything that decides what runs. */
export type CapabilityScope = { session: SessionKey; request: ToolRequest; timeoutMs: number };

/**
 * Canonical JSON: object keys sorted at every depth, no whitespace. Both sides compute the
 * same bytes for the same value whatever order its keys arrived in, so the digest covers any
 * tool request without knowing its shape.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** SHA-256 (base64url) over the canonical JSON of the call's session, request and timeout. */
export async function capabilityDigest(scope: CapabilityScope): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson({ session: scope.session, request: scope.request, timeoutMs: scope.timeoutMs }));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let binary = "";
  for (const byte of hash) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
