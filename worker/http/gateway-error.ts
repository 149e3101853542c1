import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { WireErrorCode } from "../../shared/wire-error.js";

/** The one error path of the HTTP surface: a status, a stable code and a user-safe message; `cause` keeps what went wrong underneath. */
export class GatewayError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: WireErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(status, { message, cause: options.cause });
  }
}
