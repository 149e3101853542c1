import { bodyLimit } from "hono/body-limit";
import { GatewayError } from "./gateway-error.js";

/** Admin requests are small JSON (a code, a role, a console message); 64 KiB is far above any of them. */
export const ADMIN_BODY_MAX_BYTES = 64 * 1024;

/**
 * Refuses an oversized body with 413 before it is read further: a declared Content-Length over
 * the cap at once, a chunked body as soon as the bytes read pass it (the rest is never pulled).
 * Mounted after bearer auth, so an unauthenticated caller's body is never read at all.
 */
export function adminBodyLimit(maxBytes: number = ADMIN_BODY_MAX_BYTES) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new GatewayError(413, "payload_too_large", `admin request bodies are limited to ${maxBytes} bytes`);
    },
  });
}
