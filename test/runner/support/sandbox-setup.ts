import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerSandbox } from "../../../runner/sandbox/docker-sandbox.js";
import { SANDBOX_IMAGE } from "../../../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../../../runner/sandbox/sandbox-runtime.js";
import type { SandboxSettings } from "../../../runner/sandbox/sandbox-settings.js";
import { docker } from "../../support/docker-probe.js";

/** A unique runner name per test file and process, so parallel runs never touch each other's containers. */
export function uniqueRunner(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
}

/** A temporary state directory; removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `drawbridge-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Sandbox settings for tests: session scope, private workspaces under `stateDir`, no warm pool unless asked. */
export function testSettings(stateDir: string, overrides: Partial<SandboxSettings> = {}): SandboxSettings {
  return {
    scope: "session",
    workspaceAccess: "none",
    roots: [],
    privateRoot: join(stateDir, "sandboxes"),
    limits: { ...DEFAULT_LIMITS },
    idleMs: 10 * 60_000,
    warmPool: 0,
    ...overrides,
  };
}

export function testSandbox(runner: string, settings: SandboxSettings, image = SANDBOX_IMAGE): DockerSandbox {
  return new DockerSandbox({ docker, image, runner, settings });
}
