import { realpath } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerSandbox } from "../../runner/sandbox/docker-sandbox.js";
import { ensureSandboxImage, SANDBOX_IMAGE } from "../../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS, SandboxError } from "../../runner/sandbox/sandbox-runtime.js";
import { containersOf, docker } from "../support/docker-probe.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSettings } from "./support/sandbox-setup.js";

const runner = `sbx-${process.pid}`;
const state = await tempDir("sbx");
const settings = testSettings(state.path, { limits: { ...DEFAULT_LIMITS, outputBytes: 4096 } });
const sandbox = new DockerSandbox({ docker, image: SANDBOX_IMAGE, runner, settings });
// Acceptance 1: every container these tests create, including those thrown away after a timeout or removed behind the runtime's back.
everySandboxHardened([runner], async () => [await realpath(state.path)]);

beforeAll(async () => {
  await ensureSandboxImage(docker);
}, 120_000);
afterAll(async () => {
  await sandbox.removeAll();
  await state.remove();
});

describe("Docker sandbox exec", () => {
  it("separates stdout from stderr and reports the real exit code", async () => {
    const result = await sandbox.exec("s1", "echo out; echo err >&2; exit 3", 10_000);
    expect(result).toMatchObject({ stdout: "out\n", stderr: "err\n", exitCode: 3, timedOut: false });
  });

  it("runs as the unprivileged sandbox user with no network and a read-only root", async () => {
    const result = await sandbox.exec(
      "s1",
      "id -u; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; touch /bin/x 2>&1; echo rw > /tmp/ok && cat /tmp/ok",
      10_000,
    );
    expect(result.stdout.split("\n")).toEqual(["10001", "lo", expect.stringMatching(/Read-only file system/), "rw", ""]);
  });

  it("reuses the scope's container and gives another scope its own", async () => {
    await sandbox.exec("s1", "true", 10_000);
    await sandbox.exec("s2", "true", 10_000);
    const scopes = (await containersOf(runner)).map((info) => info.Labels["dev.drawbridge.scope"]).sort();
    expect(scopes).toEqual(["session:s1", "session:s2"]);
  });

  it("kills a command at its time limit and says so", async () => {
    const result = await sandbox.exec("s1", "sleep 30", 1000);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it("leaves nothing running behind a timed-out command, and the next call still works", async () => {
    const result = await sandbox.exec("s3", "sleep 60 & echo started; sleep 30", 1000);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, stdout: "started\n" });
    const after = await sandbox.exec("s3", "ps -o args | grep -c '^sleep 60$'", 10_000);
    expect(after.stdout).toBe("0\n");
  }, 30_000);

  it("caps output and marks it truncated", async () => {
    const result = await sandbox.exec("s1", "yes | head -c 100000; yes e | head -c 100000 >&2", 10_000);
    expect(Buffer.byteLength(result.stdout)).toBe(4096);
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stderrTruncated).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  it("recreates a container that was removed behind its back", async () => {
    await sandbox.exec("s4", "true", 10_000);
    const [info] = (await containersOf(runner)).filter((c) => c.Labels["dev.drawbridge.scope"] === "session:s4");
    await docker.getContainer(info!.Id).remove({ force: true });
    const fresh = new DockerSandbox({ docker, image: SANDBOX_IMAGE, runner, settings });
    expect((await fresh.exec("s4", "echo back", 10_000)).stdout).toBe("back\n");
  });

  it("says how to build a missing image", async () => {
    const missing = new DockerSandbox({ docker, image: "drawbridge-sandbox:does-not-exist", runner, settings });
    await expect(missing.exec("s9", "true", 10_000)).rejects.toThrow(SandboxError);
    await expect(missing.exec("s9", "true", 10_000)).rejects.toThrow(/drawbridge sandbox build/);
  });

  it("removes every container it created, and removing twice is harmless", async () => {
    await sandbox.removeAll();
    await sandbox.removeAll();
    expect(await containersOf(runner)).toEqual([]);
  });
});
