import { Hono } from "hono";
import { z } from "zod";
import { GatewayError } from "../http/gateway-error.js";
import { retryOnce } from "../objects/retry-once.js";
import { auditLogStub } from "../objects/stubs.js";

const Limit = z.coerce.number().int().min(1).max(1000).default(100);

/** `GET /api/audit?limit=…`: recent security events, newest first, secrets redacted. */
export const auditRoute = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const limit = Limit.safeParse(c.req.query("limit"));
  if (!limit.success) throw new GatewayError(400, "bad_request", "limit must be a whole number from 1 to 1000");
  // A log object reset since the stub was made (a deploy) asks to be retried; reading twice is harmless.
  return c.json({ events: await retryOnce(() => auditLogStub(c.env).recent(limit.data)) });
});
