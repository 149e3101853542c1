import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type Docker from "dockerode";
import { removeQuietly } from "../../runner/sandbox/docker-sandbox.js";
import { sandboxContainerSpec } from "../../runner/sandbox/container-spec.js";
import { execInContainer } from "../../runner/sandbox/exec-in-container.js";
import { ensureSandboxImage, SANDBOX_IMAGE } from "../../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../../runner/sandbox/sandbox-runtime.js";
import { docker } from "../support/docker-probe.js";
import { uniqueRunner } from "./support/sandbox-setup.js";

// The runner, not an in-container `timeout`, keeps an exec's deadline: at the limit it signals the
// call's processes from a side exec. These are the commands that side exec must still reach, so
// that the container's removal (the backstop) stays the last resort it was.
const runner = uniqueRunner("deadline");
let container: Docker.Container;
const backstops: string[] = [];

beforeAll(async () => {
  await ensureSandboxImage(docker);
  container = await docker.createContainer(
    sandboxContainerSpec({ image: SANDBOX_IMAGE, runner, scope: "deadline", limits: { ...DEFAULT_LIMITS, pidsLimit: 64 } }),
  );
  await container.start();
}, 120_000);
afterAll(async () => {
  await removeQuietly(container);
});

function run(command: string, timeoutMs: number) {
  return execInContainer(docker, container, command, timeoutMs, 8192, () => {
    backstops.push(command);
    return Promise.resolve();
  });
}

async function leftovers(): Promise<string[]> {
  const { stdout } = await run("ps -o args", 10_000);
  return stdout
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "" && !/ps -o args|docker-init|sleep 2147483647|drawbridge-exec/.test(line));
}

describe("the runner's exec deadline", () => {
  it("stops a command that replaced itself with a process that scrubbed its environment and ignores SIGTERM", async () => {
    const result = await run(`exec env -i sh -c "trap '' TERM; while :; do :; done"`, 1000);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, backstopFired: false });
    expect(backstops).toEqual([]);
    expect(await leftovers()).toEqual([]);
  }, 30_000);

  it("stops a command that filled the container's pids limit, where a helper that forks could not run", async () => {
    // The inner shell forks until the table is full (and dies of it); the outer one then spins without forking.
    const result = await run("sh -c 'while :; do sleep 1000 & done' 2>/dev/null; while :; do :; done", 2000);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, backstopFired: false });
    expect(backstops).toEqual([]);
    // The same container serves the next call, with nothing of it left.
    expect((await run("echo alive", 10_000)).stdout).toBe("alive\n");
    expect(await leftovers()).toEqual([]);
  }, 30_000);

  it("a command that ends before its deadline keeps its own exit code and output", async () => {
    const result = await run("echo done; exit 4", 5000);
    expect(result).toMatchObject({ timedOut: false, exitCode: 4, stdout: "done\n", backstopFired: false });
  }, 30_000);
});
