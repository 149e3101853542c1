// `npm test`: the Worker suite in workerd, then the runner/end-to-end suite in Node against
// the real Docker engine. Ends with one line "N passed, N failed" so an empty run is visible.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const suites = [
  { name: "worker (workerd)", config: "vitest.workers.config.ts" },
  { name: "worker, socket abuse (workerd, a runtime of its own)", config: "vitest.workers-isolated.config.ts" },
  { name: "runner + end-to-end (node, docker)", config: "vitest.node.config.ts" },
];
const extraArgs = process.argv.slice(2);
const outDir = "test-results";
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

let passed = 0;
let failed = 0;
let broken = false;
/** Named again just above the closing line, so a log cut to its tail still says what failed. */
const failures = [];
/** Runs one suite; its counts, and whether it broke outside its tests (no report, or a non-zero exit with no failed test). */
function runSuite(suite) {
  const report = join(outDir, `${suite.config.replace(/\W+/g, "-")}.json`);
  rmSync(report, { force: true });
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
    const failures = result.testResults.flatMap((file) =>
      file.assertionResults
        .filter((test) => test.status === "failed")
        .map((test) => {
          // The workerd pool reports a timeout as a bare "STACK_TRACE_ERROR": the reporter above has the rest.
          const why = (test.failureMessages ?? [])
            .map((message) => message.split("\n")[0].slice(0, 240))
            .find((line) => line && !line.includes("STACK_TRACE_ERROR"));
          return `${file.name.replace(`${process.cwd()}/`, "")} > ${test.fullName}${why ? `\n      ${why}` : ""}`;
        }),
    );
    return {
      passed: result.numPassedTests,
      failed: result.numFailedTests,
      failures,
      broken: run.status !== 0 && result.numFailedTests === 0,
    };
  } catch {
    return { passed: 0, failed: 0, failures: [], broken: true }; // the suite did not even produce a report
  }
}

for (const suite of suites) {
  process.stdout.write(`\n== ${suite.name}\n`);
  let outcome = runSuite(suite);
  // workerd can crash (signal 11) tearing a test file's runtime down, taking the whole pool and its
  // report with it (workerd#6763). A suite that broke outside its tests runs once more, saying so;
  // failed tests are never retried, and a second break fails the run.
  if (outcome.broken && outcome.failed === 0) {
    process.stdout.write(`\n== ${suite.name} broke outside its tests (see above); running it once more\n`);
    outcome = runSuite(suite);
  }
  passed += outcome.passed;
  failed += outcome.failed;
  failures.push(...outcome.failures.map((name) => `${suite.name}: ${name}`));
  if (outcome.broken) broken = true;
}
if (broken) failed += 1;
if (failures.length > 0) process.stdout.write(`\nFailed:\n${failures.map((name) => `  ✗ ${name}`).join("\n")}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${broken ? " (a suite errored outside its tests)" : ""}\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
