import { loadRunnerConfig } from "./runner-config.js";
import { jsonLog, startRunner } from "./runner-process.js";

/** `drawbridge runner`: runs the runner until SIGINT/SIGTERM, then removes its containers and exits. */
export async function runRunnerUntilSignal(): Promise<void> {
  const runner = await startRunner(loadRunnerConfig());
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A failed stop (e.g. the engine went away) is said, and the exit code is not 0.
    void runner.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        jsonLog("runner.stop_failed", { message: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: Ctrl-C reaches us twice (terminal and parent); a second signal must not
  // fall through to the default handler and kill us before the containers are removed.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
