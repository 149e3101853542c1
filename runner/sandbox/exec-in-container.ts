import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import type { ExecOutput } from "../../shared/tools/exec.js";
import { SANDBOX_ENV, SANDBOX_USER, WORKSPACE_MOUNT } from "./container-spec.js";
import { execCommandLine, KILL_GRACE_SECONDS, MARKER_VAR } from "./exec-wrapper.js";
import { CappedSink } from "./output-capture.js";

/** If the exec stream outlives the in-container kill by this much, the whole container is killed. */
const HOST_BACKSTOP_MS = 5_000;

export type RawExec = ExecOutput & {
  /** The host had to kill the whole container; it is gone. */
  backstopFired: boolean;
};

/**
 * One command in a running container: busybox `timeout` sends SIGTERM at the limit and SIGKILL
 * after the grace; stdout and stderr are demultiplexed and capped; a stream that stays open
 * past all that makes the host remove the container (`onBackstop`). `signal` (the gateway's
 * cancel) stops it the same way: SIGTERM to its processes, SIGKILL after the grace, the backstop after that.
 * However it ended, what it left running is killed before the exec returns, unless `keepBackground`.
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
): Promise<RawExec> {
  if (signal?.aborted) return notRun();
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const started = performance.now();
  const marker = randomBytes(12).toString("hex");
  const exec = await container.exec({
    Cmd: execCommandLine(command, { seconds, marker, keepBackground }),
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
    const cancel = () => {
      cancelRequested = true;
      signalSoon(docker, container, marker, "TERM");
      timers.push(setTimeout(() => signalSoon(docker, container, marker, "KILL"), KILL_GRACE_SECONDS * 1000));
      timers.push(setTimeout(backstop, KILL_GRACE_SECONDS * 1000 + HOST_BACKSTOP_MS));
    };
    timers.push(setTimeout(backstop, seconds * 1000 + KILL_GRACE_SECONDS * 1000 + HOST_BACKSTOP_MS));
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
  // busybox timeout passes on the signal's status: 143 after SIGTERM, 137 when SIGKILL was needed.
  const killed = backstopFired || exitCode === 143 || exitCode === 137;
  // Cancelled only if the kill is what ended it: a command that finished first keeps its own exit code.
  const cancelled = cancelRequested && killed;
  const timedOut = !cancelled && (backstopFired || ((killed || exitCode === 124) && durationMs >= seconds * 1000));
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
  };
}

/** A cancel that arrived before the command was started: nothing ran. */
function notRun(): RawExec {
  const empty = { stdout: "", stderr: "", stdoutTruncated: false, stderrTruncated: false };
  return { exitCode: null, ...empty, timedOut: false, cancelled: true, durationMs: 0, backstopFired: false };
}

/**
 * Sends `sig` to every process of one exec (found by its marker in /proc/<pid>/environ), from a
 * second exec as the same sandbox user. All are stopped first and continued last, so a parent
 * cannot run on (or exit) between its child's signal and its own. Best effort: a process that
 * scrubbed its environment is left to the container's removal, which follows a cancel anyway.
 */
function signalSoon(docker: Docker, container: Docker.Container, marker: string, sig: "TERM" | "KILL"): void {
  const script = [
    'pids=""',
    "for d in /proc/[0-9]*; do",
    `  tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx "${MARKER_VAR}=$1" && pids="$pids \${d#/proc/}"`,
    "done",
    `if [ -n "$pids" ]; then kill -STOP $pids; kill -${sig} $pids; kill -CONT $pids; fi 2>/dev/null; true`,
  ].join("\n");
  // Not awaited. If the container is gone or full (pids limit), the backstop removes it.
  sideExec(docker, container, ["/bin/sh", "-c", script, "signal-exec", marker], 1024).catch(() => undefined);
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
