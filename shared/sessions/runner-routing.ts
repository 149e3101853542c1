import { z } from "zod";
import { SessionKey, TOOL_NAMES, type ToolName } from "../tools/tool-call.js";
import { RunnerName } from "../tunnel/protocol.js";

/**
 * Which home runner serves a call, when a gateway has several: by session first (e.g. a group's
 * work on the box that holds its files), then by tool (e.g. exec on a separate box), else the
 * gateway's DEFAULT_RUNNER. A name no runner is registered under is an error when a call is
 * made ("no runner named … is registered"), never a call that waits forever.
 */
export const RunnerRouting = z
  .object({
    /** Session key (as /whoami shows it) → runner name. */
    sessions: z
      .record(SessionKey, RunnerName)
      .default({})
      .describe('Session key (as /whoami shows it) → runner name, e.g. {"group:telegram:-1001234": "office"}.'),
    /** Tool → runner name. */
    tools: z
      .partialRecord(z.enum(TOOL_NAMES), RunnerName)
      .default({})
      .describe('Tool → runner name, e.g. {"exec": "gpu"}; a session\'s route wins over a tool\'s.'),
  })
  .strict();
export type RunnerRouting = z.output<typeof RunnerRouting>;

export function runnerFor(routing: RunnerRouting, defaultRunner: string, session: string, tool: ToolName): string {
  return routing.sessions[session] ?? routing.tools[tool] ?? defaultRunner;
}
