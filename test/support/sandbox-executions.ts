import { LABEL } from "../../runner/sandbox/container-spec.js";
import { docker } from "./docker-probe.js";

/**
 * Watches the Docker engine's live event stream for commands started inside a runner's
 * sandboxes: executions counted where they happen, whatever the runner believes or logs, even
 * across runner crashes. (Live, because the engine keeps only a short backlog of past events.)
 */
export class SandboxExecutions {
  readonly actions: string[] = [];
  private stream: NodeJS.ReadableStream & { destroy?: () => void } = null as never;
  private buffered = "";

  static async watch(runner: string): Promise<SandboxExecutions> {
    const watcher = new SandboxExecutions();
    watcher.stream = await docker.getEvents({
      filters: { type: ["container"], event: ["exec_start"], label: [`${LABEL.runner}=${runner}`] },
    });
    watcher.stream.on("data", (chunk: Buffer) => {
      watcher.buffered += chunk.toString("utf8");
      const lines = watcher.buffered.split("\n");
      watcher.buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) watcher.actions.push((JSON.parse(line) as { Action?: string }).Action ?? "");
    });
    return watcher;
  }

  /** Waits until `predicate` holds for what was seen (events trail the execs slightly), or times out. */
  async settle(predicate: (actions: string[]) => boolean, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.actions) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    return this.actions;
  }

  stop(): void {
    this.stream.destroy?.();
  }
}

/** How often each marker ran, and the order markers first ran in. */
export function countMarkers(actions: string[], pattern: RegExp): { counts: Map<string, number>; order: string[] } {
  const counts = new Map<string, number>();
  const order: string[] = [];
  for (const action of actions) {
    const marker = pattern.exec(action)?.[0];
    if (!marker) continue;
    if (!counts.has(marker)) order.push(marker);
    counts.set(marker, (counts.get(marker) ?? 0) + 1);
  }
  return { counts, order };
}
