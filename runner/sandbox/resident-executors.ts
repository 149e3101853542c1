import type Docker from "dockerode";
import { SANDBOX_ENV, SANDBOX_USER } from "./container-spec.js";
import { EXECUTOR_BINARY } from "./executor-container.js";
import { executorExec, type ExecutorExec } from "./executor-exec.js";
import { EXECUTOR_NAME } from "./executor-script.js";
import { CappedSink } from "./output-capture.js";
import { ResidentExecutor } from "./resident-executor.js";
import { SandboxError } from "./sandbox-runtime.js";

/**
 * Asks, as the sandbox user, whether the executor and the container's init are out of its reach:
 * opening the executor's environ (a ptrace-mode read) and init's memory for writing must both
 * fail. Prints "protected" when they do; anything else names what was reachable.
 */
const PROBE = `
x=""
for d in /proc/[0-9]*; do
  { read -r s < "$d/stat"; } 2>/dev/null || continue
  set -- \${s##*") "}
  [ "$2" = 0 ] || continue
  { while IFS= read -r -d '' a; do [ "$a" = "${EXECUTOR_NAME}" ] && x=\${d#/proc/}; done < "$d/cmdline"; } 2>/dev/null
done
[ -n "$x" ] || { echo "no executor found"; exit; }
found=""
( exec 3<"/proc/$x/environ" ) 2>/dev/null && found="$found the executor's memory;"
( exec 3<>/proc/1/mem ) 2>/dev/null && found="$found the container's init;"
echo "\${found:-protected}"`;

/**
 * The resident executors of a runner's sandbox containers, one per container (by id), started on
 * first use. The first one started is probed (PROBE): if this host lets the sandbox user reach it
 * (e.g. fs.suid_dumpable=1, which keeps a process that ran an unreadable file dumpable), every call
 * is refused with the reason rather than run unprotected.
 */
export class ResidentExecutors {
  private readonly started = new Map<string, Promise<ResidentExecutor>>();
  private probe: Promise<void> | undefined;

  constructor(private readonly docker: Docker) {}

  /** Runs one call through the container's executor (starting it first if needed). */
  async exec(
    container: Docker.Container,
    call: { command: string; timeoutMs: number; outputBytes: number; signal?: AbortSignal | undefined },
    onBackstop: () => Promise<void>,
  ): Promise<ExecutorExec> {
    const executor = await this.executorOf(container);
    return executorExec(container, executor, call, onBackstop);
  }

  /** Forgets (and closes) a container's executor; the container is going away. */
  forget(containerId: string): void {
    const executor = this.started.get(containerId);
    this.started.delete(containerId);
    if (executor) executor.then((running) => running.close()).catch(() => undefined);
  }

  private executorOf(container: Docker.Container): Promise<ResidentExecutor> {
    let executor = this.started.get(container.id);
    if (!executor) {
      executor = this.start(container);
      this.started.set(container.id, executor);
      executor.catch(() => this.started.delete(container.id));
    }
    return executor.then((running) => {
      if (running.broken) throw new SandboxError("the sandbox's resident executor stopped");
      return running;
    });
  }

  private async start(container: Docker.Container): Promise<ResidentExecutor> {
    const executor = await ResidentExecutor.start(this.docker, container, EXECUTOR_BINARY);
    const docker = this.docker;
    // Only an answer is kept: a probe that could not run (the container went away) is tried again.
    this.probe ??= probe(docker, container).catch((error: unknown) => {
      if (!(error instanceof SandboxError)) this.probe = undefined;
      throw error;
    });
    try {
      await this.probe;
    } catch (error) {
      executor.close();
      throw error;
    }
    return executor;
  }
}

async function probe(docker: Docker, container: Docker.Container): Promise<void> {
  const cmd = ["/bin/sh", "-c", PROBE];
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: SANDBOX_USER, Env: SANDBOX_ENV });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new CappedSink(1024);
  docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", resolve);
  });
  const answer = out.text().trim();
  if (answer !== "protected") {
    throw new SandboxError(
      `sandbox.residentExecutor is on, but on this host the sandbox user can reach ${answer.replace(/;$/, "")}; turn sandbox.residentExecutor off`,
    );
  }
}
