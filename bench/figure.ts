import { cpus, loadavg, totalmem } from "node:os";

/** One benchmark figure, printed as one JSON line. `ratio` is value ÷ baseline from the same run. */
export type Figure = {
  name: string;
  value: number;
  unit: string;
  baseline: { name: string; value: number } | null;
  ratio: number | null;
  target: string;
  met: boolean | null;
  runs: number;
  machine: string;
  detail?: Record<string, unknown>;
};

export function machineNote(): string {
  const cores = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join("/");
  return `${cores.length}×${cores[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${load}`;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function printFigure(figure: Figure): void {
  process.stdout.write(JSON.stringify(figure) + "\n");
}

/**
 * A latency figure judged as a ratio: the median of `samples` ÷ the median of `baseline` (measured
 * in the same run), met when the ratio is at most `limit`.
 */
export function latencyRatioFigure(name: string, samples: number[], baseline: { name: string; samples: number[] }, limit: number): Figure {
  const value = median(samples);
  const base = median(baseline.samples);
  const ratio = value / base;
  return {
    name,
    value: round(value),
    unit: "ms",
    baseline: { name: baseline.name, value: round(base) },
    ratio: round(ratio, 3),
    target: `ratio ≤ ${limit.toFixed(2)}`,
    met: ratio <= limit,
    runs: samples.length,
    machine: machineNote(),
  };
}
