import { auditLogStub } from "../objects/stubs.js";
import type { AuditEvent } from "./audit-event.js";

/**
 * Appends a security event. A stub that broke (the log was reset, e.g. by a deploy) is replaced
 * and the write tried once more. Never throws: a failing write is logged, and the decision it
 * describes (always the refusing one) has already been taken.
 */
export async function recordAudit(env: Env, event: AuditEvent): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await auditLogStub(env).record(event);
      return;
    } catch (error) {
      if (attempt < 2) continue;
      console.error(JSON.stringify({ event: "audit.write_failed", kind: event.kind, error: String(error) }));
      return;
    }
  }
}
