import { z } from "zod";
import { SessionKey, TOOL_NAMES, type ToolName } from "../tools/tool-call.js";
import { RunnerName } from "../tunnel/protocol.js";

/** Failover waits this long by default: a runner restarting or a deploy's reconnect never moves a call. */
export const DEFAULT_FAILOVER_AFTER_SECONDS = 120;

/** An ordered list of runners: the first serves; the next serve only while those before them are offline. */
const RunnerList = z
  .array(RunnerName)
  .min(1)
  .max(4)
  .refine((list) => new Set(list).size === list.length, "a runner is named twice");

/** A tool's route: one runner, or an ordered list to fail over along. */
const ToolRoute = z.union([RunnerName, RunnerList]);

/**
 * A session's route. A session keeps its files on the box that runs it, so a session route is
 * one runner; it fails over only when it says its workspace is on every runner it lists.
 */
const SessionRoute = z.union(
  [
    RunnerName,
    z
      .object({
        runners: RunnerList.describe("The runners in order: the first serves, the next while the first is offline."),
        sharedWorkspace: z
          .literal(true)
          .describe("The session's files are on every listed runner (synced, or it needs none), so its calls may fail over."),
      })
      .strict(),
  ],
  {
    error: 'a session route is one runner name, or {"runners": [...], "sharedWorkspace": true} (its files must be on every runner listed)',
  },
);

/**
 * Which home runner serves a call, when a gateway has several: by session first (e.g. a group's
 * work on the box that holds its files), then by tool (e.g. exec on a separate box), else the
 * gateway's DEFAULT_RUNNER. A name no runner is registered under is an error when a call is
 * made ("no runner named … is registered"), never a call that waits forever. A route naming
 * several runners fails over: calls never sent to the first go to the next online one once the
 * first has been offline `failoverAfterSeconds` (worker/tunnel/failover.ts).
 */
export const RunnerRouting = z
  .object({
    /** Session key (as /whoami shows it) → runner name, or {runners, sharedWorkspace: true}. */
    sessions: z
      .record(SessionKey, SessionRoute)
      .default({})
      .describe(
        'Session key (as /whoami shows it) → runner name, e.g. {"group:telegram:-1001234": "office"}; a session fails over only as {"runners": ["office", "home"], "sharedWorkspace": true}.',
      ),
    /** Tool → runner name, or an ordered list of runners. */
    tools: z
      .partialRecord(z.enum(TOOL_NAMES), ToolRoute)
      .default({})
      .describe(
        'Tool → runner name or ordered list, e.g. {"exec": ["home", "office"]}: the next serves while the first is offline; a session\'s route wins over a tool\'s.',
      ),
    failoverAfterSeconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .default(DEFAULT_FAILOVER_AFTER_SECONDS)
      .describe(
        "Seconds the first runner of a list must be offline before calls never sent to it go to the next online one. A call already sent never moves.",
      ),
  })
  .strict();
export type RunnerRouting = z.output<typeof RunnerRouting>;

/** Where a call goes: its runner, the runners it may fail over to (in order), and after how long. */
export type RunnerRoute = { runner: string; fallbacks: string[]; failoverAfterMs: number };

export function routeFor(routing: RunnerRouting, defaultRunner: string, session: string, tool: ToolName): RunnerRoute {
  const route = routing.sessions[session] ?? routing.tools[tool] ?? defaultRunner;
  const list = typeof route === "string" ? [route] : Array.isArray(route) ? route : route.runners;
  const [runner = defaultRunner, ...fallbacks] = list;
  return { runner, fallbacks, failoverAfterMs: routing.failoverAfterSeconds * 1000 };
}

/** The runner a session's own route names first (the home model is relayed by it), else the default. */
export function sessionRunner(routing: RunnerRouting, defaultRunner: string, session: string): string {
  const route = routing.sessions[session];
  return route === undefined ? defaultRunner : typeof route === "string" ? route : (route.runners[0] ?? defaultRunner);
}

export function runnerFor(routing: RunnerRouting, defaultRunner: string, session: string, tool: ToolName): string {
  return routeFor(routing, defaultRunner, session, tool).runner;
}
