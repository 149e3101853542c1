import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCommand } from "../../runner/cli/sandbox-commands.js";
import { parseRunnerFile } from "../../runner/floor/load-runner-file.js";
import { sandboxSettingsFrom } from "../../runner/floor/local-floor.js";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { docker } from "../support/docker-probe.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

// Issue 14 item 6: `sleep 600 &` and spin loops outlived the call that started them, until the
// idle reaper took the container. Now a call's processes end with the call, unless runner.json keeps them.
const runner = uniqueRunner("bg");
const keptRunner = uniqueRunner("bgkept");
const sharedRunner = uniqueRunner("bgshared");
const state = await tempDir("bg");
const sandbox = testSandbox(runner, testSettings(join(state.path, "a")));
const kept = testSandbox(keptRunner, testSettings(join(state.path, "b"), { keepBackgroundProcesses: true }));
const shared = testSandbox(sharedRunner, testSettings(join(state.path, "c"), { scope: "shared" }));
everySandboxHardened([runner, keptRunner, sharedRunner], async () => [await realpath(state.path)]);

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  await Promise.all([sandbox.removeAll(), kept.removeAll(), shared.removeAll()]);
  await state.remove();
});

/** What the sandbox user's processes are, as `ps` inside the sandbox shows them (the ps itself left out). */
async function processesSeenBy(box: typeof sandbox, session: string): Promise<string[]> {
  const { stdout } = await box.exec(session, "ps -o args", 10_000);
  return stdout
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "" && !line.includes("ps -o args"));
}

describe("a call's processes end with the call", () => {
  it("a spin loop started in the background is gone when the next call runs", async () => {
    const first = await sandbox.exec("spin", "sh -c 'while :; do :; done &'; echo started", 10_000);
    expect(first).toMatchObject({ exitCode: 0, stdout: "started\n", timedOut: false });
    const left = await processesSeenBy(sandbox, "spin");
    expect(left.filter((line) => line.includes("while"))).toEqual([]);
    // Only the container's own init and idle process remain.
    expect(left.filter((line) => !/docker-init|sleep 2147483647/.test(line))).toEqual([]);
  }, 30_000);

  it("`sleep 600 &` is gone, and the call still answers with its own exit code", async () => {
    const first = await sandbox.exec("sleeper", "sleep 600 & exit 3", 10_000);
    expect(first.exitCode).toBe(3);
    expect(first.timedOut).toBe(false);
    expect((await processesSeenBy(sandbox, "sleeper")).filter((line) => line.includes("sleep 600"))).toEqual([]);
  }, 30_000);

  it("a process that leaves its session, scrubs its environment and ignores TERM is gone too", async () => {
    await sandbox.exec(
      "escape",
      "setsid env -i sh -c \"trap '' TERM HUP; while :; do sleep 1; done\" </dev/null >/dev/null 2>&1 &",
      10_000,
    );
    const left = await processesSeenBy(sandbox, "escape");
    expect(left.filter((line) => !/docker-init|sleep 2147483647/.test(line))).toEqual([]);
  }, 30_000);

  it("a fork bomb left behind by a call that returned is gone, and the same container serves the next call", async () => {
    const bomb = await sandbox.exec("bomb", "sh -c 'f() { f | f & }; f' >/dev/null 2>&1 & echo returned", 10_000);
    expect(bomb.stdout).toContain("returned");
    expect(bomb.timedOut).toBe(false);
    const left = await processesSeenBy(sandbox, "bomb");
    expect(left.filter((line) => !/docker-init|sleep 2147483647/.test(line))).toEqual([]);
  }, 30_000);

  it("a call that times out leaves nothing behind", async () => {
    const result = await sandbox.exec("slow", "sleep 600 & while :; do :; done", 1000);
    expect(result.timedOut).toBe(true);
    expect((await processesSeenBy(sandbox, "slow")).filter((line) => /sleep 600|while/.test(line))).toEqual([]);
  }, 30_000);

  it("in a shared container, one session's call ending does not end another's call that is still running", async () => {
    const longer = shared.exec("alice", "sleep 2 & wait; echo alice-done", 20_000);
    // Let Alice's call start before Bob's ends.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const bob = await shared.exec("bob", "sleep 600 & echo bob-done", 20_000);
    expect(bob.stdout).toBe("bob-done\n");
    expect(await longer).toMatchObject({ exitCode: 0, stdout: "alice-done\n" });
    expect((await processesSeenBy(shared, "bob")).filter((line) => line.includes("sleep 600"))).toEqual([]);
  }, 30_000);
});

describe("runner.json may keep them", () => {
  it("sandbox.keepBackgroundProcesses is read from the config file, off by default", () => {
    expect(sandboxSettingsFrom(parseRunnerFile({}), "/state", "r").keepBackgroundProcesses).toBe(false);
    const on = parseRunnerFile({ sandbox: { keepBackgroundProcesses: true } });
    expect(sandboxSettingsFrom(on, "/state", "r").keepBackgroundProcesses).toBe(true);
    expect(() => parseRunnerFile({ sandbox: { keepBackgroundProcesses: "yes" } })).toThrow(/sandbox\.keepBackgroundProcesses/);
  });

  it("with the option on, a background process persists into the next call, and `sandbox list` says so", async () => {
    await kept.exec("keeper", "sleep 600 </dev/null >/dev/null 2>&1 &", 10_000);
    expect((await processesSeenBy(kept, "keeper")).filter((line) => line.trim() === "sleep 600")).toHaveLength(1);
    const lines: string[] = [];
    await sandboxCommand(["list"], (line) => lines.push(line), docker, state.path);
    expect(lines.find((line) => line.includes(`runner=${keptRunner} `))).toMatch(/background processes kept/);
    expect(lines.find((line) => line.includes(`runner=${runner} `)) ?? "").not.toMatch(/background processes kept/);
  }, 30_000);
});
