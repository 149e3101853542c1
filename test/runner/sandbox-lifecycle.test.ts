import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile as readHost, realpath, writeFile as writeHost } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCommand } from "../../runner/cli/sandbox-commands.js";
import { exportJWK, generateKeyPair } from "jose";
import { pinGatewayKey } from "../../runner/identity/gateway-key.js";
import { generateRunnerKey } from "../../runner/identity/runner-key.js";
import { LABEL, sandboxContainerSpec } from "../../runner/sandbox/container-spec.js";
import type { DockerSandbox } from "../../runner/sandbox/docker-sandbox.js";
import { ensureSandboxImage, SANDBOX_IMAGE } from "../../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../../runner/sandbox/sandbox-runtime.js";
import { scopeDigest } from "../../runner/sandbox/sandbox-scope.js";
import type { SandboxSettings } from "../../runner/sandbox/sandbox-settings.js";
import { containersOf, docker } from "../support/docker-probe.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

const state = await tempDir("life");
const sandboxes: DockerSandbox[] = [];
const children: ChildProcess[] = [];
// Acceptance 1: every container these tests create — warm pool, recreated, orphaned, pruned — passes the inspect check.
const hardening = everySandboxHardened([], async () => [await realpath(state.path)]);

function sandboxFor(runner: string, overrides: Partial<SandboxSettings> = {}): DockerSandbox {
  const sandbox = testSandbox(runner, testSettings(join(state.path, runner), overrides));
  sandboxes.push(sandbox);
  return sandbox;
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const ids = async (runner: string) => (await containersOf(runner)).map((c) => c.Id).sort();

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const sandbox of sandboxes) await sandbox.close();
  await state.remove();
});

/** The real runner CLI, pointed at a gateway that is not there: it starts, cleans up and keeps retrying the tunnel. */
async function startRunnerProcess(
  runner: string,
  stateDir: string,
  config: unknown,
): Promise<{ child: ChildProcess; output: () => string }> {
  await writeHost(join(stateDir, "runner.json"), JSON.stringify(config));
  const cli = fileURLToPath(new URL("../../runner/cli/main.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", cli, "runner"], {
    env: {
      PATH: process.env.PATH,
      DRAWBRIDGE_STATE_DIR: stateDir,
      DRAWBRIDGE_GATEWAY_URL: "http://127.0.0.1:9",
      DRAWBRIDGE_RUNNER_NAME: runner,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await until(
    "the runner to start",
    async () => output.includes('"runner.started"') || (child.exitCode !== null && Promise.reject(new Error(output))),
  );
  return { child, output: () => output };
}

describe("sandbox lifecycle", () => {
  it("a killed runner's containers are removed when it starts again", async () => {
    const runner = hardening.follow(uniqueRunner("orphan"));
    const stateDir = join(state.path, runner);
    await mkdir(stateDir, { recursive: true });
    await generateRunnerKey(join(stateDir, "runner-key.json"));
    // The runner insists on a pinned gateway key (as after `drawbridge runner register`); any Ed25519 key will do here.
    await pinGatewayKey(stateDir, await exportJWK((await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })).publicKey));
    const first = await startRunnerProcess(runner, stateDir, { sandbox: { warmPool: 2 } });
    // Its warm pool, plus a container that served a call (made here, as the runner would).
    await until("the warm pool", async () => (await ids(runner)).length >= 2);
    await sandboxFor(runner).exec("served", "true", 10_000);
    const orphans = await ids(runner);
    expect(orphans).toHaveLength(3);
    first.child.kill("SIGKILL");
    await until("the runner to die", () => first.child.exitCode !== null || first.child.signalCode !== null);
    expect(await ids(runner)).toEqual(orphans);

    const second = await startRunnerProcess(runner, stateDir, { sandbox: { warmPool: 0 } });
    expect((await ids(runner)).filter((id) => orphans.includes(id))).toEqual([]);
    second.child.kill("SIGTERM");
    await until("the runner to stop", () => second.child.exitCode !== null);
    expect(await ids(runner)).toEqual([]);
  }, 60_000);

  it("idle containers are removed after the idle time; a busy one is not", async () => {
    const runner = hardening.follow(uniqueRunner("idle"));
    const sandbox = sandboxFor(runner, { idleMs: 1500 });
    sandbox.startReaper();
    await sandbox.exec("quick", "true", 10_000);
    // A call that lasts longer than the idle time keeps its container.
    expect((await sandbox.exec("busy", "sleep 3; echo done", 10_000)).stdout).toBe("done\n");
    await until("the idle containers to go", async () => (await ids(runner)).length === 0);
    expect((await sandbox.exec("quick", "echo back", 10_000)).stdout).toBe("back\n");
  }, 30_000);

  it("a warm container is reused; a configuration change recreates it", async () => {
    const runner = hardening.follow(uniqueRunner("config"));
    const sandbox = sandboxFor(runner);
    await sandbox.exec("s", "true", 10_000);
    const [first] = await ids(runner);
    await sandbox.exec("s", "true", 10_000);
    // Another runtime instance (a restarted runner without cleanup) adopts the same container.
    await sandboxFor(runner).exec("s", "true", 10_000);
    expect(await ids(runner)).toEqual([first]);

    await sandbox.configure(testSettings(join(state.path, runner), { limits: { ...DEFAULT_LIMITS, memoryBytes: 128 * 1024 * 1024 } }));
    await sandbox.exec("s", "true", 10_000);
    const [second] = await ids(runner);
    expect(second).not.toBe(first);
    expect((await docker.getContainer(second!).inspect()).HostConfig.Memory).toBe(128 * 1024 * 1024);
  });

  it("a warm pool hands a ready container to a new session and refills", async () => {
    const runner = hardening.follow(uniqueRunner("pool"));
    // Laid out as the runner lays out its state dir, so `sandbox list` finds what the runner noted.
    const stateDir = join(state.path, runner);
    const sandbox = sandboxFor(runner, { warmPool: 1, privateRoot: join(stateDir, "sandboxes", runner) });
    await sandbox.warmUp();
    const [pooled] = await containersOf(runner);
    expect(pooled?.Labels[LABEL.pool]).toBe("true");
    await sandbox.exec("newcomer", "echo mine > /workspace/file", 10_000);
    const served = (await containersOf(runner)).find((c) => c.Id === pooled?.Id);
    expect(served?.Names).toEqual([`/drawbridge-${runner}-${scopeDigest("session:newcomer")}`]);
    // The claimed container's workspace is the session's own directory.
    const { hostPath } = await sandbox.workspaceFor("newcomer");
    expect(await readHost(join(hostPath, "file"), "utf8")).toBe("mine\n");
    await until(
      "the pool to refill",
      async () => (await containersOf(runner)).filter((c) => c.Labels[LABEL.pool] === "true" && c.Id !== pooled?.Id).length === 1,
    );

    // Docker cannot relabel it: the taken container's labels still say it came from the pool, with no scope of its own...
    expect(served?.Labels).toMatchObject({ [LABEL.pool]: "true", [LABEL.scope]: "pool", [LABEL.runner]: runner });
    // ...so `drawbridge sandbox list` names its scope from the runner's note, and tells an untaken one apart.
    const listed = async () => {
      const lines: string[] = [];
      await sandboxCommand(["list"], (line) => lines.push(line), docker, stateDir);
      return lines.filter((line) => line.includes(`runner=${runner} `));
    };
    const lines = await until("sandbox list to name the scope", async () => {
      const mine = await listed();
      return mine.some((line) => line.includes("scope=session:newcomer (from the warm pool)")) && mine;
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^  drawbridge-${runner}-${scopeDigest("session:newcomer")}  runner=${runner}  scope=session:newcomer \\(from the warm pool\\)  running`,
          ),
        ),
        expect.stringMatching(
          new RegExp(`^  drawbridge-${runner}-pool-[0-9a-f]+  runner=${runner}  scope=\\(warm pool, not taken yet\\)  `),
        ),
      ]),
    );
    expect(lines).toHaveLength(2);
  }, 30_000);

  it("`drawbridge sandbox list` shows containers; `prune` removes stopped ones and keeps running ones; stop/remove are idempotent", async () => {
    const runner = hardening.follow(uniqueRunner("prune"));
    const sandbox = sandboxFor(runner);
    await sandbox.exec("running", "true", 10_000);
    const stopped = await docker.createContainer(
      sandboxContainerSpec({ image: SANDBOX_IMAGE, runner, scope: "stopped", limits: DEFAULT_LIMITS }),
    );
    const lines: string[] = [];
    await sandboxCommand(["list"], (line) => lines.push(line), docker);
    expect(lines.join("\n")).toMatch(new RegExp(`runner=${runner}  scope=session:running  running`));
    expect(lines.join("\n")).toContain(SANDBOX_IMAGE);
    await sandboxCommand(["prune"], (line) => lines.push(line), docker);
    const left = await containersOf(runner);
    expect(left.map((c) => c.Labels[LABEL.scope])).toEqual(["session:running"]);
    await expect(stopped.inspect()).rejects.toMatchObject({ statusCode: 404 });
    await sandbox.removeAll();
    await sandbox.removeAll();
    expect(await containersOf(runner)).toEqual([]);
  });
});
