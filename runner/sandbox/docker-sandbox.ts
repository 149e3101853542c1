import type Docker from "dockerode";
import type { ExecOutput } from "../../shared/tools/exec.js";
import { LABEL, containerName, sandboxContainerSpec, shapeDigest, type ContainerShape } from "./container-spec.js";
import { execInContainer, oomKills, type RawExec } from "./exec-in-container.js";
import { SandboxError, type SandboxRuntime, type ScopeWorkspace } from "./sandbox-runtime.js";
import { scopeKey } from "./sandbox-scope.js";
import { PrivateWorkspaces } from "./private-workspaces.js";
import { ensureExecutorImage, executorImageName } from "./executor-image.js";
import { ResidentExecutors } from "./resident-executors.js";
import { WRAPPER_SHELL } from "./executor-container.js";
import { privateWorkspacePath, sharedMount, type ResolvedMount, type SandboxSettings } from "./sandbox-settings.js";
import { WarmPool } from "./warm-pool.js";

export type DockerSandboxOptions = { docker: Docker; image: string; runner: string; settings: SandboxSettings };

/** What a sandbox noticed worth an audit line: a limit that stopped a command. */
export type SandboxEvent = { kind: "timeout" | "memory" | "output"; session: string; container: string };

/** Stands for "a private workspace" where only the shape digest matters (each scope mounts its own). */
const PRIVATE: ResolvedMount = { hostPath: "", readOnly: false, private: true };

type Entry = { key: string; container: Promise<Docker.Container>; digest: string; lastUsed: number; busy: number; oomKills: number };

/** Sandboxes as hardened Docker containers: one per scope, reused while warm, reaped when idle. */
export class DockerSandbox implements SandboxRuntime {
  private readonly entries = new Map<string, Entry>();
  private readonly pool: WarmPool;
  private readonly privateWorkspaces = new PrivateWorkspaces();
  private readonly executors: ResidentExecutors;
  private settings: SandboxSettings;
  private reaper: ReturnType<typeof setInterval> | undefined;
  /** Called for every limit hit; the runner writes them to its audit log. */
  onLimit: (event: SandboxEvent) => void = () => undefined;

  constructor(private readonly options: DockerSandboxOptions) {
    this.settings = options.settings;
    this.pool = new WarmPool(options.docker, options.runner, (spec) => this.createStarted(spec));
    this.executors = new ResidentExecutors(options.docker);
  }

  /** New settings apply to the next call of each scope: a container of another shape is recreated. */
  async configure(settings: SandboxSettings): Promise<void> {
    this.settings = settings;
    this.privateWorkspaces.forget();
    await this.pool.drain();
  }

  async exec(session: string, command: string, timeoutMs: number, signal?: AbortSignal): Promise<ExecOutput> {
    const { docker, limits } = { docker: this.options.docker, limits: this.settings.limits };
    for (let attempt = 0; ; attempt++) {
      const entry = await this.entryFor(session);
      entry.busy++;
      try {
        const container = await entry.container;
        const keep = this.settings.keepBackgroundProcesses === true;
        const raw = this.executorOn()
          ? await this.viaExecutor(entry, container, { command, timeoutMs, outputBytes: limits.outputBytes, signal })
          : await execInContainer(
              docker,
              container,
              command,
              timeoutMs,
              limits.outputBytes,
              () => this.discard(entry),
              signal,
              keep,
              WRAPPER_SHELL,
            );
        const { backstopFired, sweepFailed, ...output } = raw;
        const oom = output.exitCode === 137 && (await this.newOomKill(entry, container));
        // A timed-out or cancelled command may have left children (`cmd &`), as may one that killed its wrapper; the container goes with it.
        if (((output.timedOut || output.cancelled) && !backstopFired) || sweepFailed === true) await this.discard(entry);
        if (output.timedOut) this.onLimit({ kind: "timeout", session, container: container.id });
        if (output.stdoutTruncated || output.stderrTruncated) this.onLimit({ kind: "output", session, container: container.id });
        if (oom) {
          this.onLimit({ kind: "memory", session, container: container.id });
          const mib = Math.round(limits.memoryBytes / (1024 * 1024));
          return { ...output, outOfMemory: true, stderr: `${output.stderr}\n[killed: out of memory — the sandbox limit is ${mib} MiB]\n` };
        }
        return output;
      } catch (error) {
        // The container vanished or stopped behind our back (e.g. `drawbridge sandbox prune`): start over once.
        const status = statusOf(error);
        if (attempt === 0 && (status === 404 || status === 409)) {
          await this.discard(entry);
          continue;
        }
        throw error instanceof SandboxError ? error : wrap(error, "run the command in the sandbox");
      } finally {
        entry.busy--;
        entry.lastUsed = Date.now();
      }
    }
  }

  async workspaceFor(session: string): Promise<ScopeWorkspace> {
    const mount = await this.mountFor(scopeKey(this.settings.scope, session));
    return { hostPath: mount.hostPath, access: mount.readOnly ? "ro" : "rw" };
  }

  /** Fills the warm pool (a no-op with `warmPool: 0`). Errors are the caller's to log. */
  async warmUp(): Promise<void> {
    const settings = this.settings;
    const shape = async () => this.shape((await sharedMount(settings)) ?? PRIVATE);
    await this.pool.fill(settings, shape, shapeDigest(await shape()));
  }

  /** Removes containers idle for longer than the idle time; returns how many went. */
  async reapIdle(now = Date.now()): Promise<number> {
    const idle = [...this.entries.values()].filter((entry) => entry.busy === 0 && now - entry.lastUsed >= this.settings.idleMs);
    await Promise.all(idle.map((entry) => this.discard(entry)));
    return idle.length;
  }

  /** Checks for idle containers every so often until removeAll/close. */
  startReaper(log: (error: unknown) => void = () => undefined): void {
    if (this.reaper) return;
    const every = Math.min(30_000, Math.max(250, Math.floor(this.settings.idleMs / 2)));
    this.reaper = setInterval(() => void this.reapIdle().catch(log), every);
    this.reaper.unref();
  }

  async removeAll(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
    await this.pool.drain();
    const found = await this.options.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.managed}=true`, `${LABEL.runner}=${this.options.runner}`] },
    });
    this.entries.clear();
    await Promise.all(found.map((info) => removeQuietly(this.options.docker.getContainer(info.Id))));
  }

  /** For shutdown: stops the pool from refilling, then removes everything. */
  async close(): Promise<void> {
    await this.pool.close();
    await this.removeAll();
  }

  private async mountFor(key: string): Promise<ResolvedMount> {
    return (await sharedMount(this.settings)) ?? (await this.privateWorkspaces.mount(this.settings, key));
  }

  private shape(workspace: ResolvedMount): ContainerShape {
    const { limits, keepBackgroundProcesses: keepBackground, appArmorProfile } = this.settings;
    // Every container is of the derived image: its execute-only busybox keeps each exec's wrapper non-dumpable.
    const executorImage = executorImageName(this.options.image);
    return {
      image: this.options.image,
      limits,
      workspace,
      keepBackground,
      appArmorProfile,
      executorImage,
      residentExecutor: this.executorOn(),
    };
  }

  /** runner.json `sandbox.residentExecutor`, where its argument holds: one session per container, nothing kept running. */
  private executorOn(): boolean {
    const { residentExecutor, scope, keepBackgroundProcesses } = this.settings;
    return residentExecutor === true && scope === "session" && keepBackgroundProcesses !== true;
  }

  /** One call through the container's resident executor; a call that did not end cleanly takes the container with it. */
  private async viaExecutor(
    entry: Entry,
    container: Docker.Container,
    call: { command: string; timeoutMs: number; outputBytes: number; signal?: AbortSignal | undefined },
  ): Promise<RawExec> {
    try {
      const { discard, ...raw } = await this.executors.exec(container, call, () => this.discard(entry));
      if (discard) await this.discard(entry);
      return raw;
    } catch (error) {
      await this.discard(entry);
      throw error;
    }
  }

  /** The scope's entry: cached if its shape still matches, else a fresh container (warm pool first). */
  private async entryFor(session: string): Promise<Entry> {
    const key = scopeKey(this.settings.scope, session);
    const mount = this.settings.workspaceAccess === "none" ? undefined : await sharedMount(this.settings);
    const digest = shapeDigest(this.shape(mount ?? PRIVATE));
    const cached = this.entries.get(key);
    if (cached && cached.digest === digest) return cached;
    if (cached) await this.discard(cached);
    const entry: Entry = { key, digest, lastUsed: Date.now(), busy: 0, oomKills: 0, container: this.ensureContainer(key, digest) };
    this.entries.set(key, entry);
    entry.container.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry;
  }

  private async ensureContainer(key: string, digest: string): Promise<Docker.Container> {
    const { docker, runner } = this.options;
    const name = containerName(runner, key);
    const existing = docker.getContainer(name);
    try {
      const info = await existing.inspect();
      if (info.Config.Labels[LABEL.config] === digest && info.State.Running) return existing;
      await removeQuietly(existing);
    } catch (error) {
      if (statusOf(error) !== 404) throw wrap(error, "inspect the sandbox container");
    }
    const privateDir = this.settings.workspaceAccess === "none" ? privateWorkspacePath(this.settings, key) : undefined;
    const pooled = await this.pool.claim(digest, { key, name, privateDir, privateRoot: this.settings.privateRoot });
    if (pooled) {
      void this.warmUp().catch(() => undefined);
      return pooled;
    }
    const spec = sandboxContainerSpec({ ...this.shape(await this.mountFor(key)), name, runner, scope: key });
    return this.createStarted(spec);
  }

  private async createStarted(spec: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    try {
      // Made (or remade, after the sandbox image was rebuilt or the image pruned) before each container that needs it.
      if (spec.Image === executorImageName(this.options.image)) await ensureExecutorImage(this.options.docker, this.options.image);
      const container = await this.options.docker.createContainer(spec);
      await container.start();
      return container;
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new SandboxError(`sandbox image ${this.options.image} is missing; build it with \`drawbridge sandbox build\``);
      }
      throw wrap(error, "start a sandbox container");
    }
  }

  /** Whether the kernel OOM-killed something in this container since we last looked. */
  private async newOomKill(entry: Entry, container: Docker.Container): Promise<boolean> {
    const count = await oomKills(this.options.docker, container).catch(() => undefined);
    if (count === undefined || count <= entry.oomKills) return false;
    entry.oomKills = count;
    return true;
  }

  private async discard(entry: Entry): Promise<void> {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    const container = await entry.container.catch(() => undefined);
    if (container) this.executors.forget(container.id);
    if (container) await removeQuietly(container);
  }
}

/** Idempotent: a container that is already gone counts as removed. */
export async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (error) {
    const status = statusOf(error);
    if (status !== 404 && status !== 409) throw error;
  }
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? Number(error.statusCode) : undefined;
}

/** Errors that mean the engine itself is gone (stopped, socket removed), not this one request. */
const ENGINE_GONE = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE"]);

function wrap(error: unknown, action: string): SandboxError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (ENGINE_GONE.has(code)) {
    return new SandboxError(
      `could not ${action}: the Docker engine is not reachable (${detail}); start it (e.g. \`sudo systemctl start docker\`) and try again`,
    );
  }
  return new SandboxError(`could not ${action}: ${detail}`);
}
