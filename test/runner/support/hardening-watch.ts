import type Docker from "dockerode";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { LABEL } from "../../../runner/sandbox/container-spec.js";
import { containersOf, docker } from "../../support/docker-probe.js";
import { expectHardened } from "./hardening.js";

type Seen = { runner: string; info?: Docker.ContainerInspectInfo; error?: string };
type EventStream = NodeJS.ReadableStream & { destroy?: () => void };

/**
 * Puts every sandbox container of the followed runners through the hardening check, including
 * those the code removes again before a test ends (recreated after a config change, thrown away
 * after a timeout, drained from the warm pool, pruned): each is inspected the moment the engine
 * reports it created, from the engine's own event stream, whichever process created it.
 */
export class HardeningWatch {
  private readonly runners = new Set<string>();
  private readonly seen = new Map<string, Seen>();
  private readonly pending = new Set<Promise<void>>();
  private readonly checked = new Set<string>();
  private stream: EventStream | undefined;
  private buffered = "";

  constructor(...runners: string[]) {
    for (const runner of runners) this.follow(runner);
  }

  async start(): Promise<void> {
    // `since` replays the engine's recent events, so nothing created while the stream connects is missed.
    this.stream = await docker.getEvents({
      since: Math.floor(Date.now() / 1000) - 1,
      filters: { type: ["container"], event: ["create"], label: [`${LABEL.managed}=true`] },
    });
    this.stream.on("data", (chunk: Buffer) => this.take(chunk));
  }

  /** Follow this runner's containers too (call before it creates any). */
  follow(runner: string): string {
    this.runners.add(runner);
    return runner;
  }

  /**
   * Checks every container created since the last check (and any still there that the stream has
   * not reported yet) against the hardening list; `allowedSources` are the only places a bind may
   * come from. Returns how many it checked this time.
   */
  async expectAllHardened(allowedSources: string[] | (() => Promise<string[]>)): Promise<number> {
    await Promise.all([...this.pending]);
    for (const runner of this.runners) {
      for (const container of await containersOf(runner)) {
        // Not reported yet: inspect it now. One gone meanwhile is left to its create event, which will say so.
        if (!this.seen.has(container.Id)) await this.inspect(container.Id, runner, true);
      }
    }
    await Promise.all([...this.pending]);
    // Taken off the list before checking, so one failure is reported once, by the test that made it.
    const fresh = [...this.seen].filter(([id]) => !this.checked.has(id));
    for (const [id] of fresh) this.checked.add(id);
    if (fresh.length === 0) return 0;
    // Resolved only when there is something to check: the directory it names may not exist before.
    const allowed = typeof allowedSources === "function" ? await allowedSources() : allowedSources;
    for (const [id, { runner, info, error }] of fresh) {
      if (!info) throw new Error(`sandbox container ${id} of ${runner} could not be inspected: ${error}`);
      expectHardened(info, runner, allowed);
    }
    return fresh.length;
  }

  stop(): void {
    this.stream?.destroy?.();
  }

  private take(chunk: Buffer): void {
    this.buffered += chunk.toString("utf8");
    const lines = this.buffered.split("\n");
    this.buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as { id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
      const id = event.Actor?.ID ?? event.id;
      const runner = event.Actor?.Attributes?.[LABEL.runner];
      if (!id || !runner || !this.runners.has(runner) || this.seen.has(id)) continue;
      // inspect() records a failure instead of rejecting; the watch awaits `pending` before its checks.
      const inspecting: Promise<void> = this.inspect(id, runner, false).finally(() => this.pending.delete(inspecting));
      this.pending.add(inspecting);
    }
  }

  private async inspect(id: string, runner: string, goneIsFine: boolean): Promise<void> {
    try {
      const info = await docker.getContainer(id).inspect();
      if (!this.seen.get(id)?.info) this.seen.set(id, { runner, info });
    } catch (error) {
      if (goneIsFine || this.seen.get(id)?.info) return;
      // Removed within moments of its creation: it was never checked, which is a failure, not a pass.
      this.seen.set(id, { runner, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * For a test file: watches `runners` from the start, checks every container they created after
 * each test (so before the file removes them), and at the end that it checked at least one.
 * Returns the watch, to follow runners the file names later.
 */
export function everySandboxHardened(runners: string[], allowedSources: () => Promise<string[]>): HardeningWatch {
  const watch = new HardeningWatch(...runners);
  let checked = 0;
  beforeAll(() => watch.start());
  afterEach(async () => {
    checked += await watch.expectAllHardened(allowedSources);
  });
  afterAll(() => {
    watch.stop();
    expect(checked, "sandbox containers checked").toBeGreaterThan(0);
  });
  return watch;
}
