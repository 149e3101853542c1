import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerSandbox } from "../runner/sandbox/docker-sandbox.js";
import { engineClient } from "../runner/sandbox/engine-client.js";
import { SANDBOX_IMAGE } from "../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../runner/sandbox/sandbox-runtime.js";

/**
 * The runner's exec path with runner.json `sandbox.residentExecutor` on, alone in this process:
 * `DockerSandbox.exec("true")` through the warm container's resident executor (its sweeps, the
 * runner's deadline, the nonce-checked channel), no gateway, tunnel or journal
 * (docs/resident-executor.md).
 */
export class ExecutorExecAlone {
  private sandbox: DockerSandbox | undefined;
  private state: string | undefined;

  async start(): Promise<void> {
    this.state = await mkdtemp(join(tmpdir(), "drawbridge-bench-executor-"));
    this.sandbox = new DockerSandbox({
      docker: engineClient(),
      image: SANDBOX_IMAGE,
      runner: `bench-executor-${process.pid}`,
      settings: {
        scope: "session",
        workspaceAccess: "none",
        roots: [],
        privateRoot: join(this.state, "sandboxes"),
        limits: { ...DEFAULT_LIMITS },
        idleMs: 60 * 60_000,
        warmPool: 0,
        residentExecutor: true,
      },
    });
    await this.execTrue();
  }

  /** One `true` through the resident executor, in milliseconds. */
  async execTrue(): Promise<number> {
    if (!this.sandbox) throw new Error("not started");
    const started = performance.now();
    const result = await this.sandbox.exec("bench", "true", 30_000);
    if (result.exitCode !== 0) throw new Error(`the executor's true answered ${JSON.stringify(result)}`);
    return performance.now() - started;
  }

  async stop(): Promise<void> {
    await this.sandbox?.removeAll();
    if (this.state) await rm(this.state, { recursive: true, force: true });
  }
}
