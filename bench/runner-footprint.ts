import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { machineNote, round, type Figure } from "./figure.js";

/** Resident set size of a process, in MiB, from /proc. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** The same-run baseline: an idle bare Node process (the floor any Node runner pays). */
export async function bareNodeRssMiB(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return await rssMiB(child.pid!);
  } finally {
    child.kill("SIGKILL");
  }
}

export function footprintFigure(name: string, value: number, bareNode: number, runs: number, target: string, met: boolean | null): Figure {
  return {
    name,
    value: round(value, 1),
    unit: "MiB",
    baseline: { name: "idle bare node process", value: round(bareNode, 1) },
    ratio: round(value / bareNode, 3),
    target,
    met,
    runs,
    machine: machineNote(),
  };
}
