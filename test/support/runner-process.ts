import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { afterAll, beforeAll } from "vitest";
import { pinGatewayKey } from "../../runner/identity/gateway-key.js";
import { generateRunnerKey } from "../../runner/identity/runner-key.js";
import { stopChild } from "../../runner/local-stack/child-process.js";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { containersOf, docker } from "./docker-probe.js";
import { spawnRunner, type HostileGateway } from "./hostile-gateway.js";
import { publicHalf } from "./signed-call.js";

export type RunnerProcessOptions = {
  runner: string;
  /** The gateway's signing key; the runner pins its public half, as `drawbridge runner register` does. */
  gatewayJwk: JWK;
  /** Collects the runner's stdout lines. */
  log: string[];
  /** Written as the runner's runner.json (its local floor) when given. */
  runnerConfig?: unknown;
  /** Build the sandbox image first, for files whose calls reach Docker. */
  sandboxImage?: boolean;
  /** More environment for the runner process (e.g. DOCKER_HOST). */
  env?: Record<string, string>;
};

/**
 * A real runner process for one test file, dialled out to `gateway`: its own state directory
 * (runner key, pinned gateway key, runner.json), started before the file's tests, stopped with
 * Ctrl-C semantics after them, its containers and state removed.
 */
export function runnerProcessAgainst(gateway: HostileGateway, options: RunnerProcessOptions): { readonly stateDir: string } {
  let stateDir = "";
  let child: ReturnType<typeof spawnRunner> | null = null;
  beforeAll(async () => {
    if (options.sandboxImage) await ensureSandboxImage(docker);
    stateDir = await mkdtemp(join(tmpdir(), `drawbridge-${options.runner}-`));
    const env: Record<string, string> = { ...options.env, DRAWBRIDGE_STATE_DIR: stateDir, DRAWBRIDGE_RUNNER_NAME: options.runner };
    if (options.runnerConfig !== undefined) {
      env.DRAWBRIDGE_RUNNER_CONFIG = join(stateDir, "runner.json");
      await writeFile(env.DRAWBRIDGE_RUNNER_CONFIG, JSON.stringify(options.runnerConfig), { mode: 0o600 });
    }
    env.DRAWBRIDGE_GATEWAY_URL = await gateway.start(options.runner);
    await generateRunnerKey(join(stateDir, "runner-key.json"));
    await pinGatewayKey(stateDir, publicHalf(options.gatewayJwk));
    const connected = gateway.waitForRunner();
    child = spawnRunner(env, options.log);
    await connected;
  }, 120_000);
  afterAll(async () => {
    await stopChild(child ?? undefined, "SIGINT");
    // The runner removes its containers on Ctrl-C; one killed after the grace period could not.
    for (const info of await containersOf(options.runner))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => {});
    await gateway.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  }, 60_000);
  return {
    get stateDir() {
      return stateDir;
    },
  };
}
