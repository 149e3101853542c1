import type { WireErrorCode } from "../../shared/wire-error.js";

/** A file tool refused or failed; the message is safe to show the sender (no host paths). */
export class WorkspaceError extends Error {
  override readonly name = "WorkspaceError";
  constructor(
    readonly code: Extract<WireErrorCode, "bad_request" | "forbidden" | "not_found" | "payload_too_large" | "tool_failed">,
    message: string,
  ) {
    super(message);
  }
}
