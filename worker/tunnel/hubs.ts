import type { RunnerHub } from "./runner-hub.js";
import { DIRECTORY_OBJECT_NAME, type DirectoryStub } from "./runner-directory.js";

/** The hub of one runner, by name. */
export function hubOf(env: Env, runner: string): DurableObjectStub<RunnerHub> {
  return env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(runner));
}

/**
 * The runner directory (kid → runner, the list of runners), kept by one hub instance. Every
 * directory operation is idempotent, so one retry covers a reset object (a deploy, an eviction).
 */
export function directoryOf(env: Env): DirectoryStub {
  const stub = () => env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(DIRECTORY_OBJECT_NAME));
  return {
    record: (runner, kid) => retryOnce(() => stub().directoryRecord(runner, kid)),
    lookup: (kid) => retryOnce(() => stub().directoryLookup(kid)),
    list: () => retryOnce(() => stub().directoryList()),
  };
}

export async function retryOnce<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const retryable = (error as { retryable?: unknown }).retryable === true || /please retry/i.test(String(error));
    if (!retryable) throw error;
    return operation();
  }
}

/** Call ids start with the runner's name (runner names have no `_`), so a call can be found from its id alone. */
export function runnerOfCall(callId: string): string | null {
  const match = /^([a-z0-9][a-z0-9-]{0,63})_[0-9a-f]{32}$/.exec(callId);
  return match?.[1] ?? null;
}
