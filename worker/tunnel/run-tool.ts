import { ExecArgs } from "../../shared/tools/exec.js";
import type { SessionKey, ToolOutcome, ToolRequest } from "../../shared/tools/tool-call.js";

/** Forwards one tool call to the named runner's hub, refusing bad arguments before they travel. */
export async function runTool(
  env: Env,
  runner: string,
  session: SessionKey,
  request: ToolRequest,
  timeoutMs: number,
): Promise<ToolOutcome> {
  const args = ExecArgs.safeParse(request.args);
  if (!args.success) {
    return { ok: false, error: { code: "bad_request", message: args.error.issues[0]?.message ?? "invalid arguments" } };
  }
  const hub = env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(runner));
  return hub.call(session, { tool: request.tool, args: args.data }, timeoutMs);
}
