import { directoryHubStub } from "../objects/stubs.js";
import { retryOnce } from "../objects/retry-once.js";
import type { DirectoryStub } from "./runner-directory.js";

/**
 * The runner directory (kid → runner, the list of runners), kept by one hub instance. Every
 * directory operation is idempotent, so one retry covers a reset object (a deploy, an eviction).
 */
export function directoryOf(env: Env): DirectoryStub {
  return {
    record: (runner, kid) => retryOnce(() => directoryHubStub(env).directoryRecord(runner, kid)),
    lookup: (kid) => retryOnce(() => directoryHubStub(env).directoryLookup(kid)),
    list: () => retryOnce(() => directoryHubStub(env).directoryList()),
  };
}

/** Call ids start with the runner's name (runner names have no `_`), so a call can be found from its id alone. */
export function runnerOfCall(callId: string): string | null {
  const match = /^([a-z0-9][a-z0-9-]{0,63})_[0-9a-f]{32}$/.exec(callId);
  return match?.[1] ?? null;
}
