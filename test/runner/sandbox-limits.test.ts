import { realpath } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../../runner/sandbox/sandbox-runtime.js";
import type { SandboxEvent } from "../../runner/sandbox/docker-sandbox.js";
import { containersOf, docker } from "../support/docker-probe.js";
import { expectAllHardened } from "./support/hardening.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

const runner = uniqueRunner("limits");
const state = await tempDir("limits");
const MiB = 1024 * 1024;
const sandbox = testSandbox(
  runner,
  testSettings(state.path, { limits: { ...DEFAULT_LIMITS, memoryBytes: 64 * MiB, pidsLimit: 64, outputBytes: 8192 } }),
);
// Acceptance 1 for the containers the bombs took with them too, not only those left at the end.
everySandboxHardened([runner], async () => [await realpath(state.path)]);
const events: SandboxEvent[] = [];
sandbox.onLimit = (event) => events.push(event);

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  await sandbox.removeAll();
  await state.remove();
});

async function scopesAlive(): Promise<string[]> {
  return (await containersOf(runner)).map((c) => c.Labels["dev.drawbridge.scope"] ?? "").sort();
}

describe("sandbox limits hold, and the runner stays healthy", () => {
  it("a fork bomb hits the pids limit, is killed at the time limit, and takes its container with it", async () => {
    // The foreground waits without forking (a `sleep` could fail to fork and end the call early; its leftovers then die with it).
    // The bomb starts in a shell of its own: `f | f &` forks twice, and if the first child fills the
    // table before the second fork, that shell dies of "can't fork" (seen once under load), not the foreground.
    const result = await sandbox.exec("bomb", "sh -c 'f() { f | f & }; f'; while :; do :; done", 3000);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
    expect(await scopesAlive()).not.toContain("session:bomb");
    // The runner (this process) and the engine still serve the next call, in a fresh container.
    expect((await sandbox.exec("bomb", "echo alive", 10_000)).stdout).toBe("alive\n");
    expect(events.some((e) => e.kind === "timeout" && e.session === "bomb")).toBe(true);
  }, 30_000);

  it("a memory bomb is killed and reported as out of memory", async () => {
    const result = await sandbox.exec("mem", "dd if=/dev/zero of=/dev/null bs=200M count=1", 15_000);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(137);
    expect(result.outOfMemory).toBe(true);
    expect(result.stderr).toMatch(/out of memory — the sandbox limit is 64 MiB/);
    expect(events.some((e) => e.kind === "memory" && e.session === "mem")).toBe(true);
    // An ordinary SIGKILL afterwards is not blamed on memory.
    const killed = await sandbox.exec("mem", "kill -9 $$", 10_000);
    expect(killed.exitCode).toBe(137);
    expect(killed.outOfMemory).toBeUndefined();
  }, 30_000);

  it("`yes` is capped in bytes, marked truncated, and killed at the time limit", async () => {
    const result = await sandbox.exec("yes", "yes", 2000);
    expect(result.timedOut).toBe(true);
    expect(result.stdoutTruncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBe(8192);
    expect(events.some((e) => e.kind === "output" && e.session === "yes")).toBe(true);
    expect(await scopesAlive()).not.toContain("session:yes");
  }, 30_000);

  it("a process that traps SIGTERM is killed anyway, and nothing of it survives", async () => {
    const result = await sandbox.exec("trap", "trap '' TERM; sleep 60 & trap '' TERM; while :; do sleep 1; done", 1000);
    expect(result.timedOut).toBe(true);
    expect(await scopesAlive()).not.toContain("session:trap");
    const after = await sandbox.exec("trap", "ps -o args | grep -c '^sleep 60$' || true", 10_000);
    expect(after.stdout).toBe("0\n");
  }, 30_000);

  it("children that exit are reaped: no zombie is left", async () => {
    const result = await sandbox.exec(
      "zombie",
      "for i in 1 2 3 4 5; do (sleep 0.1 &); done; sleep 0.5; ps -o stat,args | grep -c '^Z' || true",
      10_000,
    );
    expect(result.stdout).toBe("0\n");
  });

  it("every container left is still hardened, and removing them leaves none behind", async () => {
    expect(await expectAllHardened(runner, [await realpath(state.path)])).toBeGreaterThan(0);
    await sandbox.removeAll();
    expect(await containersOf(runner)).toEqual([]);
  });
});
