import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import type { AuditEvent } from "../audit/audit-log.js";

const MAX_COMMAND_IN_AUDIT = 512;

/** The audit line for one call: who asked for what, what the floor decided, how it ended. Never file contents. */
export function auditCall(call: Call, decision: "allowed" | "refused", outcome: ToolOutcome, durationMs: number): AuditEvent {
  const { request } = call;
  const args =
    request.tool === "exec"
      ? { command: request.args.command.slice(0, MAX_COMMAND_IN_AUDIT), ...(request.args.elevated ? { elevated: true } : {}) }
      : { path: request.args.path ?? "." };
  return {
    event: "tool.call",
    id: call.id,
    session: call.session,
    tool: request.tool,
    args,
    decision,
    outcome: summarize(outcome),
    durationMs,
  };
}

function summarize(outcome: ToolOutcome): Record<string, unknown> {
  if (!outcome.ok) return { ok: false, code: outcome.error.code, message: outcome.error.message };
  const output = outcome.output;
  if ("stdout" in output) {
    return {
      ok: true,
      exitCode: output.exitCode,
      timedOut: output.timedOut,
      ...(output.outOfMemory ? { outOfMemory: true } : {}),
      ...(output.stdoutTruncated || output.stderrTruncated ? { truncated: true } : {}),
    };
  }
  return { ok: true, ...("bytes" in output ? { bytes: output.bytes } : {}) };
}
