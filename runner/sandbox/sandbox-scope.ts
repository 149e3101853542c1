import { createHash } from "node:crypto";
import type { SandboxScope } from "./sandbox-runtime.js";

/**
 * The key of the sandbox a session's calls share. `session`: one per session; `agent`: one per
 * agent, the part of the session key before its first ":" (a key without ":" is its own agent);
 * `shared`: one for the whole runner.
 */
export function scopeKey(scope: SandboxScope, session: string): string {
  switch (scope) {
    case "session":
      return `session:${session}`;
    case "agent":
      return `agent:${session.split(":")[0] ?? session}`;
    case "shared":
      return "shared";
  }
}

/** A short stable name for a scope, safe in container names and directory names. */
export function scopeDigest(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}
