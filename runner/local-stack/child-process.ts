import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createInterface } from "node:readline";

/** A child of the local stack, its output prefixed so the user can tell the parts apart. */
export function spawnPrefixed(
  label: string,
  command: string,
  args: string[],
  options: SpawnOptions,
  onLine: (line: string) => void = () => {},
): ChildProcess {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      onLine(line);
      if (line.trim()) process.stderr.write(`[${label}] ${line}\n`);
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
