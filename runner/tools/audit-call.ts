import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import type { AuditEvent } from "../audit/audit-log.js";
import { redactText } from "../audit/redact.js";

const MAX_COMMAND_IN_AUDIT = 512;
const MAX_REASON_IN_AUDIT = 300;
/** Redaction looks at this much of a field at most; what is kept is far shorter, so a secret cut here is cut off whole. */
const REDACT_WINDOW = 4096;

/**
 * A field the sender controls, fit for the audit log: redacted first, then clipped, so clipping
 * never cuts a secret into a piece the redaction rules no longer recognise, and no field makes a huge line.
 */
export function clipForAudit(text: string, max: number): string {
  const redacted = redactText(text.slice(0, REDACT_WINDOW));
  return redacted.length > max ? `${redacted.slice(0, max)}…[clipped]` : redacted;
}

/** The part of every audit line that says who asked for what. */
function whatWasAsked(call: Call) {
  const { request } = call;
  const args =
    request.tool === "exec"
      ? { command: clipForAudit(request.args.command, MAX_COMMAND_IN_AUDIT), ...(request.args.elevated ? { elevated: true } : {}) }
      : { path: clipForAudit(request.args.path ?? ".", MAX_COMMAND_IN_AUDIT) };
  return { event: "tool.call", id: call.id, session: call.session, tool: request.tool, args };
}

/** The audit line for one call: who asked for what, what the floor decided, how it ended. Never file contents. */
export function auditCall(call: Call, decision: "allowed" | "refused", outcome: ToolOutcome, durationMs: number): AuditEvent {
  return {
    ...whatWasAsked(call),
    decision,
    outcome: summarize(outcome),
    durationMs,
  };
}

/**
 * The audit line for a call refused before it reached the floor: its capability did not hold,
 * or it is a replay. Tool, session and arguments are what the frame claims (the capability did
 * not vouch for them); the reason may quote the capability, so it is clipped too.
 */
export function auditRefusal(call: Call, reason: string): AuditEvent {
  return {
    ...whatWasAsked(call),
    decision: "refused",
    refusedAt: "admission",
    reason: clipForAudit(reason, MAX_REASON_IN_AUDIT),
    outcome: { ok: false, code: "capability_refused" },
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
      ...(output.cancelled ? { cancelled: true } : {}),
      ...(output.outOfMemory ? { outOfMemory: true } : {}),
      ...(output.stdoutTruncated || output.stderrTruncated ? { truncated: true } : {}),
    };
  }
  return { ok: true, ...("bytes" in output ? { bytes: output.bytes } : {}) };
}
