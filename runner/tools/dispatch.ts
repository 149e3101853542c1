import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import type { AuditLog } from "../audit/audit-log.js";
import { checkFloor, type LocalFloor } from "../floor/local-floor.js";
import { SandboxError, type SandboxRuntime } from "../sandbox/sandbox-runtime.js";
import { editFile, listDir, readFile, writeFile, type Workspace } from "../workspace/file-tools.js";
import { WorkspaceError } from "../workspace/workspace-error.js";
import { auditCall } from "./audit-call.js";

/** What a call may use on this runner: the sandbox, the local policy floor, the audit log. */
export type ToolHost = { sandbox: SandboxRuntime; floor: LocalFloor; audit?: AuditLog | undefined };

/**
 * The one way a verified call becomes an outcome: the local floor first (whatever the gateway
 * signed), then the tool, then an audit line with the decision and the outcome.
 */
export async function dispatchCall(host: ToolHost, call: Call, signal?: AbortSignal): Promise<ToolOutcome> {
  const started = performance.now();
  const decision = checkFloor(host.floor, call);
  const outcome: ToolOutcome = decision.allowed
    ? await runTool(host, call, decision.timeoutMs, signal)
    : { ok: false, error: { code: "forbidden", message: `refused: ${decision.reason}` } };
  await host.audit?.record(auditCall(call, decision.allowed ? "allowed" : "refused", outcome, Math.round(performance.now() - started)));
  return outcome;
}

/**
 * `signal` is the gateway's cancel: an exec is stopped (SIGTERM, then SIGKILL). A file tool ignores
 * it once started — it is bounded by the file size cap and done in milliseconds.
 */
async function runTool(host: ToolHost, call: Call, timeoutMs: number, signal?: AbortSignal): Promise<ToolOutcome> {
  const { request } = call;
  try {
    if (request.tool === "exec")
      return { ok: true, output: await host.sandbox.exec(call.session, request.args.command, timeoutMs, signal) };
    const scoped = await host.sandbox.workspaceFor(call.session);
    const ws: Workspace = { root: scoped.hostPath, access: scoped.access, maxFileBytes: host.floor.maxFileBytes };
    switch (request.tool) {
      case "read":
        return { ok: true, output: await readFile(ws, request.args) };
      case "write":
        return { ok: true, output: await writeFile(ws, request.args) };
      case "edit":
        return { ok: true, output: await editFile(ws, request.args) };
      case "ls":
        return { ok: true, output: await listDir(ws, request.args) };
    }
  } catch (error) {
    if (error instanceof WorkspaceError) return { ok: false, error: { code: error.code, message: error.message } };
    if (error instanceof SandboxError) return { ok: false, error: { code: "sandbox_unavailable", message: error.message } };
    throw error;
  }
}
