import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import type { ExecOutput } from "../../shared/tools/exec.js";
import { SANDBOX_ENV, SANDBOX_USER, WORKSPACE_MOUNT } from "./container-spec.js";
import { execCommandLine, KILL_GRACE_SECONDS, signalCommandLine, sweepCommandLine } from "./exec-wrapper.js";
import { CappedSink } from "./output-capture.js";

/** If the exec stream outlives the in-container kill by this much, the whole container is killed. */
const HOST_BACKSTOP_MS = 5_000;

export type RawExec = ExecOutput & {
  /** The host had to kill the whole container; it is gone. */
  backstopFired: boolean;
  /** Whatever the call left running may still run (its wrapper was killed and the sweep from outside failed): discard the container. */
  sweepFailed?: boolean;
};

/** How long the sweep from outside may take before the container counts as unswept. */
const SWEEP_FROM_OUTSIDE_MS = 5_000;

/**
 * One command in a running container. The runner keeps its deadline: at the limit, as on the
 * gateway's cancel (`signal`), the call's processes get SIGTERM from a side exec, SIGKILL after
 * the grace, and if the stream still stays open after that the host removes the container
 * (`onBackstop`). stdout and stderr are demultiplexed and capped. However it ended, the wrapper's
 * sweep kills what it left running before the exec returns, unless `keepBackground`.
 */
export async function execInContainer(
  docker: Docker,
  container: Docker.Container,
  command: string,
  timeoutMs: number,
  outputBytes: number,
  onBackstop: () => Promise<void>,
  signal?: AbortSignal,
  keepBackground = false,
  /** The wrapper's shell: WRAPPER_SHELL (non-dumpable) in containers of the derived image. */
  shell: readonly string[] = ["/bin/sh"],
): Promise<RawExec> {
  if (signal?.aborted) return notRun();
  const started = performance.now();
  const marker = randomBytes(12).toString("hex");
  const exec = await container.exec({
    Cmd: execCommandLine(command, { marker, keepBackground, shell }),
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: false,
    Tty: false,
    User: SANDBOX_USER,
    WorkingDir: WORKSPACE_MOUNT,
    Env: SANDBOX_ENV,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new CappedSink(outputBytes);
  const stderr = new CappedSink(outputBytes);
  docker.modem.demuxStream(stream, stdout, stderr);

  let backstopFired = false;
  let stopping: "deadline" | "cancel" | undefined;
  let cancelRequested = false;
  await new Promise<void>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const backstop = () => {
      // Something in the sandbox kept the stream open past the kill: kill the container itself.
      backstopFired = true;
      stream.destroy();
      // Removing the container can fail (engine gone): the exec still ends; the runner's shutdown removes what is left.
      void onBackstop()
        .catch(() => undefined)
        .finally(resolve);
    };
    // Deadline and cancel end the call the same way, once: TERM, KILL after the grace, the backstop after that.
    const stop = (why: "deadline" | "cancel") => {
      if (why === "cancel") cancelRequested = true;
      if (stopping) return;
      stopping = why;
      signalSoon(docker, container, marker, "TERM");
      timers.push(setTimeout(() => signalSoon(docker, container, marker, "KILL"), KILL_GRACE_SECONDS * 1000));
      timers.push(setTimeout(backstop, KILL_GRACE_SECONDS * 1000 + HOST_BACKSTOP_MS));
    };
    const cancel = () => stop("cancel");
    // Counted from the attached stream, as the in-container `timeout` it replaces counted from its start.
    timers.push(setTimeout(() => stop("deadline"), timeoutMs));
    const finish = () => {
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener("abort", cancel);
      resolve();
    };
    if (signal?.aborted) cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    stream.once("end", finish);
    stream.once("close", finish);
    stream.once("error", finish);
  });
  const durationMs = Math.round(performance.now() - started);
  const exitCode = backstopFired ? null : ((await exec.inspect()).ExitCode ?? null);
  // Only SIGKILL ends the wrapper before its sweep (it traps the rest), and then the exec says 137; a
  // deadline or cancel discards the container anyway. Otherwise a clean call costs no extra request.
  const sweepFailed = exitCode === 137 && !stopping && !keepBackground && !(await sweptFromOutside(docker, container, shell));
  // The shell passes on the signal's status: 143 after SIGTERM, 137 when SIGKILL was needed.
  const killed = backstopFired || exitCode === 143 || exitCode === 137;
  // Cancelled only if the kill is what ended it: a command that finished first keeps its own exit code.
  const cancelled = cancelRequested && killed;
  // Past the deadline the command was signalled: however it then ended, it ran out of time.
  const timedOut = !cancelled && (backstopFired || stopping === "deadline");
  return {
    exitCode: timedOut || cancelled ? null : exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    timedOut,
    ...(cancelled ? { cancelled: true } : {}),
    durationMs,
    backstopFired,
    ...(sweepFailed ? { sweepFailed: true } : {}),
  };
}

/** Runs the sweep as its own exec; true only if it ran to a round that found nothing, in time. */
async function sweptFromOutside(docker: Docker, container: Docker.Container, shell: readonly string[]): Promise<boolean> {
  try {
    const exec = await container.exec({
      Cmd: sweepCommandLine(shell),
      AttachStdout: true,
      AttachStderr: true,
      User: SANDBOX_USER,
      Env: SANDBOX_ENV,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
    const ended = await new Promise<boolean>((resolve) => {
      // A stopped or wedged sweep counts as failed; the container is then removed, which ends it.
      const timer = setTimeout(() => resolve(false), SWEEP_FROM_OUTSIDE_MS);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      stream.once("end", done);
      stream.once("close", done);
      stream.once("error", done);
    });
    if (!ended) stream.destroy();
    return ended && (await exec.inspect()).ExitCode === 0;
  } catch {
    return false;
  }
}

/** A cancel that arrived before the command was started: nothing ran. */
function notRun(): RawExec {
  const empty = { stdout: "", stderr: "", stdoutTruncated: false, stderrTruncated: false };
  return { exitCode: null, ...empty, timedOut: false, cancelled: true, durationMs: 0, backstopFired: false };
}

/** Sends `sig` to one exec's processes from a side exec (signalCommandLine). Best effort: the backstop follows. */
function signalSoon(docker: Docker, container: Docker.Container, marker: string, sig: "TERM" | "KILL"): void {
  // Not awaited. If the container is gone or wedged, the backstop removes it.
  sideExec(docker, container, signalCommandLine(marker, sig), 1024).catch(() => undefined);
}

/**
 * How many processes the kernel's OOM killer has killed in the container's memory cgroup
 * (cgroup v1 `memory.oom_control`, v2 `memory.events`). Read from inside, where /sys is read-only.
 */
export async function oomKills(docker: Docker, container: Docker.Container): Promise<number | undefined> {
  const out = await sideExec(
    docker,
    container,
    ["/bin/sh", "-c", "cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events 2>/dev/null"],
    4096,
  );
  const match = /^oom_kill (\d+)$/m.exec(out);
  return match ? Number(match[1]) : undefined;
}

/** A short helper command in the container as the sandbox user (not the caller's command): its output, capped. */
async function sideExec(docker: Docker, container: Docker.Container, cmd: string[], maxBytes: number): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: SANDBOX_USER, Env: SANDBOX_ENV });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new CappedSink(maxBytes);
  docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", resolve);
  });
  return out.text();
}
