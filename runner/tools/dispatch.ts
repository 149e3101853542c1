import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { SandboxError, type SandboxRuntime } from "../sandbox/sandbox-runtime.js";

/** Runs one verified call with the tool it names. */
export async function dispatchCall(sandbox: SandboxRuntime, call: Call): Promise<ToolOutcome> {
  switch (call.request.tool) {
    case "exec":
      try {
        return { ok: true, output: await sandbox.exec(call.session, call.request.args.command, call.timeoutMs) };
      } catch (error) {
        if (error instanceof SandboxError) return { ok: false, error: { code: "sandbox_unavailable", message: error.message } };
        throw error;
      }
  }
}
