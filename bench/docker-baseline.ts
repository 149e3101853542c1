import Docker from "dockerode";
import { removeQuietly } from "../runner/sandbox/docker-sandbox.js";
import { sandboxContainerSpec } from "../runner/sandbox/container-spec.js";
import { SANDBOX_IMAGE } from "../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../runner/sandbox/sandbox-runtime.js";

/**
 * The floor every tool call stands on: a raw `docker exec` of `true` into a warm container
 * through dockerode, with the same image and hardening the sandbox uses.
 */
export class RawDockerExec {
  private readonly docker = new Docker();
  private container: Docker.Container | null = null;
  /** Each exec's stages, in ms: create the exec, attach (its start), the stream until it ends (runc running `true`), the exit code. */
  readonly stages: { create: number; start: number; stream: number; inspect: number }[] = [];

  async start(): Promise<void> {
    const spec = sandboxContainerSpec({
      image: SANDBOX_IMAGE,
      runner: `bench-raw-${process.pid}`,
      scope: "baseline",
      limits: DEFAULT_LIMITS,
    });
    this.container = await this.docker.createContainer(spec);
    await this.container.start();
    await this.execTrue();
  }

  /** One exec of `true`, measured from create to exit code, in milliseconds. */
  async execTrue(): Promise<number> {
    if (!this.container) throw new Error("not started");
    const started = performance.now();
    const exec = await this.container.exec({ Cmd: ["/bin/true"], AttachStdout: true, AttachStderr: true });
    const created = performance.now();
    const stream = await exec.start({ hijack: true, stdin: false });
    const attached = performance.now();
    stream.resume();
    await new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
    });
    const ended = performance.now();
    await exec.inspect();
    const done = performance.now();
    this.stages.push({ create: created - started, start: attached - created, stream: ended - attached, inspect: done - ended });
    return done - started;
  }

  async stop(): Promise<void> {
    if (this.container) await removeQuietly(this.container);
  }
}
