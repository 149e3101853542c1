import { z } from "zod";

/** Error codes that cross a boundary (tunnel frames, HTTP bodies). Each has a user-safe message. */
export const WireErrorCode = z.enum([
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "secret_missing",
  "config_invalid",
  "payload_too_large",
  "protocol_version",
  "frame_invalid",
  "runner_offline",
  "runner_timeout",
  "runner_unknown",
  "runner_revoked",
  "capability_refused",
  "call_expired",
  "call_cancelled",
  "call_interrupted",
  "queue_full",
  "too_many_connections",
  "rate_limited",
  "conflict",
  "sandbox_unavailable",
  "tool_failed",
  "home_model_offline",
  "model_not_configured",
  "model_unreachable",
  "model_refused",
  "model_timeout",
  "internal",
]);
export type WireErrorCode = z.infer<typeof WireErrorCode>;

export const WireError = z
  .object({
    code: WireErrorCode,
    message: z.string().max(2000),
  })
  .strict();
export type WireError = z.infer<typeof WireError>;

/** The one JSON error body every HTTP route answers with. */
export const ErrorBody = z.object({ error: WireError }).strict();
export type ErrorBody = z.infer<typeof ErrorBody>;
