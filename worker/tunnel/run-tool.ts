import { ToolRequest, type SessionKey, type ToolOutcome } from "../../shared/tools/tool-call.js";

/** Forwards one tool call to the named runner's hub, refusing bad arguments before they travel. */
export async function runTool(env: Env, runner: string, session: SessionKey, request: ToolRequest, timeoutMs: number): Promise<ToolOutcome> {
  const parsed = ToolRequest.safeParse(request);
  if (!parsed.success) {
    return { ok: false, error: { code: "bad_request", message: parsed.error.issues[0]?.message ?? "invalid arguments" } };
  }
  const hub = env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(runner));
  return hub.call(session, parsed.data, timeoutMs);
}
