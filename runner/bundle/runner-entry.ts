// Entry of the bundled runner (runner/bundle/bundle-runner.ts): the runner and nothing else,
// so the long-lived process loads none of the CLI, the local stack or a TypeScript loader.
import { runRunnerUntilSignal } from "../run-until-signal.js";

runRunnerUntilSignal().catch((error: unknown) => {
  process.stderr.write(`drawbridge runner: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
