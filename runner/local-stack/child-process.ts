import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";

/** Colour and cursor codes: kept out of the log file and of the lines the user reads. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g");

export function plain(line: string): string {
  return line.replace(ANSI, "");
}

/**
 * A child of the local stack with its whole output appended to `logPath` (for when something goes
 * wrong), and only what `show` words for the user on the terminal: `show` returns the line to
 * print, or null to keep the line in the log only.
 */
export function spawnLogged(
  command: string,
  args: string[],
  options: SpawnOptions,
  logPath: string,
  show: (line: string) => string | null,
): ChildProcess {
  const log = createWriteStream(logPath, { flags: "a", mode: 0o600 });
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let open = 2;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream })
      .on("line", (raw) => {
        const line = plain(raw);
        log.write(`${line}\n`);
        const shown = show(line);
        if (shown !== null) process.stderr.write(`${shown}\n`);
      })
      .on("close", () => {
        if (--open === 0) log.end();
      });
  }
  return child;
}

/** Sends `signal` (SIGTERM by default), then SIGKILL if the child has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
