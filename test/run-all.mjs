// `npm test`: the Worker suite in workerd, then the runner/end-to-end suite in Node against
// the real Docker engine. Ends with one line "N passed, N failed" so an empty run is visible.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const suites = [
  { name: "worker (workerd)", config: "vitest.workers.config.ts" },
  { name: "runner + end-to-end (node, docker)", config: "vitest.node.config.ts" },
];
const extraArgs = process.argv.slice(2);
const outDir = "test-results";
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

let passed = 0;
let failed = 0;
let broken = false;
for (const suite of suites) {
  const report = join(outDir, `${suite.config.replace(/\W+/g, "-")}.json`);
  process.stdout.write(`\n== ${suite.name}\n`);
  const run = spawnSync(
    process.execPath,
    [
      "node_modules/vitest/vitest.mjs",
      "run",
      "-c",
      suite.config,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...extraArgs,
    ],
    { stdio: "inherit" },
  );
  try {
    const result = JSON.parse(readFileSync(report, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    if (run.status !== 0 && result.numFailedTests === 0) broken = true; // e.g. a failing hook or file
  } catch {
    broken = true; // the suite did not even produce a report
  }
}
if (broken) failed += 1;
process.stdout.write(`\n${passed} passed, ${failed} failed${broken ? " (a suite errored outside its tests)" : ""}\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
