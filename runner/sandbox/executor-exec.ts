import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { SANDBOX_ENV, SANDBOX_USER } from "./container-spec.js";
import { KILL_GRACE_SECONDS } from "./exec-wrapper.js";
import { executorSignalCommandLine } from "./executor-script.js";
import type { RawExec } from "./exec-in-container.js";
import type { ResidentExecutor } from "./resident-executor.js";
import { SandboxError } from "./sandbox-runtime.js";

/** If the executor has not answered this long after the SIGKILL, the container is killed. */
const HOST_BACKSTOP_MS = 5_000;

/** What the caller must do with the container after this call: keep it, or throw it away (and why). */
export type ExecutorExec = RawExec & { discard: boolean };

const decoder = () => new TextDecoder("utf-8", { fatal: false });

/**
 * One command through the container's resident executor, with the same deadline as execInContainer:
 * at the limit, as on the gateway's cancel, a side exec sends SIGTERM to the command's processes,
 * SIGKILL after the grace, and if the executor still has not answered, the host removes the
 * container (`onBackstop`). The container is to be discarded (`discard`) whenever the call did not
 * end cleanly — timed out, cancelled, a sweep that did not settle — so nothing of it outlives it,
 * and when an earlier command filled /tmp, where the executor catches the output.
 * A broken executor (killed, stopped past the backstop, a forged byte on its channel) throws a
 * SandboxError; the caller throws the container away then too.
 */
export async function executorExec(
  container: Docker.Container,
  executor: ResidentExecutor,
  call: { command: string; timeoutMs: number; outputBytes: number; signal?: AbortSignal | undefined },
  onBackstop: () => Promise<void>,
): Promise<ExecutorExec> {
  const { command, timeoutMs, outputBytes, signal } = call;
  const started = performance.now();
  const marker = randomBytes(12).toString("hex");
  const timers: NodeJS.Timeout[] = [];
  let stopping: "deadline" | "cancel" | undefined;
  let cancelRequested = false;
  let backstopFired = false;
  const stop = (why: "deadline" | "cancel") => {
    if (why === "cancel") cancelRequested = true;
    if (stopping) return;
    stopping = why;
    signalSoon(container, marker, "TERM");
    timers.push(setTimeout(() => signalSoon(container, marker, "KILL"), KILL_GRACE_SECONDS * 1000));
    timers.push(
      setTimeout(
        () => {
          backstopFired = true;
          executor.close();
          void onBackstop().catch(() => undefined);
        },
        KILL_GRACE_SECONDS * 1000 + HOST_BACKSTOP_MS,
      ),
    );
  };
  const cancel = () => stop("cancel");
  timers.push(setTimeout(() => stop("deadline"), timeoutMs));
  if (signal?.aborted) cancel();
  else signal?.addEventListener("abort", cancel, { once: true });
  try {
    const answer = await executor.run(command, outputBytes, marker).catch((error: unknown) => {
      if (backstopFired) return undefined;
      throw error instanceof SandboxError ? error : new SandboxError(String(error));
    });
    const durationMs = Math.round(performance.now() - started);
    if (answer && answer.status === null) throw new SandboxError("the sandbox did not settle before the command; it was not run");
    const exitCode = answer ? answer.status : null;
    const killed = backstopFired || exitCode === 143 || exitCode === 137;
    const cancelled = cancelRequested && killed;
    const timedOut = !cancelled && (backstopFired || stopping === "deadline");
    return {
      exitCode: timedOut || cancelled ? null : exitCode,
      stdout: answer ? decoder().decode(answer.stdout) : "",
      stderr: answer ? decoder().decode(answer.stderr) : "",
      stdoutTruncated: answer?.stdoutTruncated ?? false,
      stderrTruncated: answer?.stderrTruncated ?? false,
      timedOut,
      ...(cancelled ? { cancelled: true } : {}),
      durationMs,
      backstopFired,
      // Stopped, unsettled, or /tmp (where the output is caught) too full for the next call's output: start afresh.
      discard: !answer || !answer.settled || stopping !== undefined || answer.tmpFree < 2 * outputBytes,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    signal?.removeEventListener("abort", cancel);
  }
}

/** Sends `sig` to the executor's command from a side exec. Best effort: the backstop follows. */
function signalSoon(container: Docker.Container, marker: string, sig: "TERM" | "KILL"): void {
  void (async () => {
    const exec = await container.exec({
      Cmd: executorSignalCommandLine(marker, sig),
      AttachStdout: true,
      AttachStderr: true,
      User: SANDBOX_USER,
      Env: SANDBOX_ENV,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
  })().catch(() => undefined);
}
