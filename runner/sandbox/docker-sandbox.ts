import type Docker from "dockerode";
import type { ExecOutput } from "../../shared/tools/exec.js";
import { LABEL, SANDBOX_USER, containerName, sandboxContainerSpec } from "./container-spec.js";
import { CappedSink } from "./output-capture.js";
import { SandboxError, type SandboxLimits, type SandboxRuntime } from "./sandbox-runtime.js";

/** Seconds between the polite SIGTERM at the time limit and the SIGKILL that follows. */
const KILL_GRACE_SECONDS = 2;
/** If the exec stream outlives the in-container kill by this much, the whole container is killed. */
const HOST_BACKSTOP_MS = 5_000;

export type DockerSandboxOptions = { docker: Docker; image: string; runner: string; limits: SandboxLimits };

/** Sandboxes as hardened Docker containers: one per scope, reused while warm. */
export class DockerSandbox implements SandboxRuntime {
  private readonly containers = new Map<string, Promise<Docker.Container>>();

  constructor(private readonly options: DockerSandboxOptions) {}

  async exec(scope: string, command: string, timeoutMs: number): Promise<ExecOutput> {
    const container = await this.containerFor(scope);
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const started = performance.now();
    const exec = await container.exec({
      // busybox timeout: SIGTERM at the limit, SIGKILL after the grace period.
      Cmd: ["/bin/timeout", "-s", "TERM", "-k", String(KILL_GRACE_SECONDS), String(seconds), "/bin/sh", "-c", command],
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
      User: SANDBOX_USER,
      WorkingDir: "/tmp",
      Env: ["PATH=/bin", "HOME=/tmp"],
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new CappedSink(this.options.limits.outputBytes);
    const stderr = new CappedSink(this.options.limits.outputBytes);
    this.options.docker.modem.demuxStream(stream, stdout, stderr);

    let backstopFired = false;
    await new Promise<void>((resolve) => {
      const backstop = setTimeout(
        () => {
          // Something in the sandbox kept the stream open past the kill: kill the container itself.
          backstopFired = true;
          void this.discard(scope, container).finally(resolve);
        },
        seconds * 1000 + KILL_GRACE_SECONDS * 1000 + HOST_BACKSTOP_MS,
      );
      const finish = () => {
        clearTimeout(backstop);
        resolve();
      };
      stream.once("end", finish);
      stream.once("close", finish);
      stream.once("error", finish);
    });
    const durationMs = Math.round(performance.now() - started);
    const exitCode = backstopFired ? null : ((await exec.inspect()).ExitCode ?? null);
    // busybox timeout passes on the signal's status: 143 after SIGTERM, 137 when SIGKILL was needed.
    const timedOut = backstopFired || ((exitCode === 143 || exitCode === 137 || exitCode === 124) && durationMs >= seconds * 1000);
    // A timed-out command may have left children behind (`cmd &`); the container goes with it.
    if (timedOut && !backstopFired) await this.discard(scope, container);
    return {
      exitCode: timedOut ? null : exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
      timedOut,
      durationMs,
    };
  }

  async removeAll(): Promise<void> {
    const found = await this.options.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.managed}=true`, `${LABEL.runner}=${this.options.runner}`] },
    });
    this.containers.clear();
    await Promise.all(found.map((info) => removeQuietly(this.options.docker.getContainer(info.Id))));
  }

  /** The scope's container: the cached one, an existing one by name (started if needed), or a new one. */
  private containerFor(scope: string): Promise<Docker.Container> {
    let entry = this.containers.get(scope);
    if (!entry) {
      entry = this.ensureContainer(scope);
      this.containers.set(scope, entry);
      entry.catch(() => this.containers.delete(scope));
    }
    return entry;
  }

  private async ensureContainer(scope: string): Promise<Docker.Container> {
    const { docker, image, runner, limits } = this.options;
    const existing = docker.getContainer(containerName(runner, scope));
    try {
      const info = await existing.inspect();
      if (info.Config.Image === image && info.State.Running) return existing;
      await removeQuietly(existing);
    } catch (error) {
      if (statusOf(error) !== 404) throw wrap(error, "inspect the sandbox container");
    }
    try {
      const container = await docker.createContainer(sandboxContainerSpec({ image, runner, scope, limits }));
      await container.start();
      return container;
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new SandboxError(`sandbox image ${image} is missing; build it with \`drawbridge sandbox build\``);
      }
      throw wrap(error, "start a sandbox container");
    }
  }

  private async discard(scope: string, container: Docker.Container): Promise<void> {
    this.containers.delete(scope);
    await removeQuietly(container);
  }
}

/** Idempotent: a container that is already gone counts as removed. */
export async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (error) {
    const status = statusOf(error);
    if (status !== 404 && status !== 409) throw error;
  }
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? Number(error.statusCode) : undefined;
}

function wrap(error: unknown, action: string): SandboxError {
  const detail = error instanceof Error ? error.message : String(error);
  return new SandboxError(`could not ${action}: ${detail}`);
}
