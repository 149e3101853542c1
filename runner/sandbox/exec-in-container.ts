import type Docker from "dockerode";
import type { ExecOutput } from "../../shared/tools/exec.js";
import { SANDBOX_ENV, SANDBOX_USER, WORKSPACE_MOUNT } from "./container-spec.js";
import { CappedSink } from "./output-capture.js";

/** Seconds between the polite SIGTERM at the time limit and the SIGKILL that follows. */
const KILL_GRACE_SECONDS = 2;
/** If the exec stream outlives the in-container kill by this much, the whole container is killed. */
const HOST_BACKSTOP_MS = 5_000;

export type RawExec = ExecOutput & {
  /** The host had to kill the whole container; it is gone. */
  backstopFired: boolean;
};

/**
 * One command in a running container: busybox `timeout` sends SIGTERM at the limit and SIGKILL
 * after the grace; stdout and stderr are demultiplexed and capped; a stream that stays open
 * past all that makes the host remove the container (`onBackstop`).
 */
export async function execInContainer(
  docker: Docker,
  container: Docker.Container,
  command: string,
  timeoutMs: number,
  outputBytes: number,
  onBackstop: () => Promise<void>,
): Promise<RawExec> {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const started = performance.now();
  const exec = await container.exec({
    Cmd: ["/bin/timeout", "-s", "TERM", "-k", String(KILL_GRACE_SECONDS), String(seconds), "/bin/sh", "-c", command],
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
  await new Promise<void>((resolve) => {
    const backstop = setTimeout(
      () => {
        // Something in the sandbox kept the stream open past the kill: kill the container itself.
        backstopFired = true;
        stream.destroy();
        void onBackstop().finally(resolve);
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
  return {
    exitCode: timedOut ? null : exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    timedOut,
    durationMs,
    backstopFired,
  };
}

/**
 * How many processes the kernel's OOM killer has killed in the container's memory cgroup
 * (cgroup v1 `memory.oom_control`, v2 `memory.events`). Read from inside, where /sys is read-only.
 */
export async function oomKills(docker: Docker, container: Docker.Container): Promise<number | undefined> {
  const exec = await container.exec({
    Cmd: ["/bin/sh", "-c", "cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events 2>/dev/null"],
    AttachStdout: true,
    AttachStderr: false,
    User: SANDBOX_USER,
    Env: SANDBOX_ENV,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new CappedSink(4096);
  docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", resolve);
  });
  const match = /^oom_kill (\d+)$/m.exec(out.text());
  return match ? Number(match[1]) : undefined;
}
