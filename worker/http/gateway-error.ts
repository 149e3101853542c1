import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { WireErrorCode } from "../../shared/wire-error.js";

/** The one error path of the HTTP surface: a status, a stable code and a user-safe message. */
export class GatewayError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: WireErrorCode,
    message: string,
  ) {
    super(status, { message });
  }
}
