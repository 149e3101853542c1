import type { RunnerHub } from "./runner-hub.js";
import { DIRECTORY_OBJECT_NAME } from "./runner-directory.js";

/** The hub of one runner, by name. */
export function hubOf(env: Env, runner: string): DurableObjectStub<RunnerHub> {
  return env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(runner));
}

/** The hub instance that keeps the runner directory (kid → runner, the list of runners). */
export function directoryOf(env: Env): DurableObjectStub<RunnerHub> {
  return env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(DIRECTORY_OBJECT_NAME));
}

/** Call ids start with the runner's name (runner names have no `_`), so a call can be found from its id alone. */
export function runnerOfCall(callId: string): string | null {
  const match = /^([a-z0-9][a-z0-9-]{0,63})_[0-9a-f]{32}$/.exec(callId);
  return match?.[1] ?? null;
}
