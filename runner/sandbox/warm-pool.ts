import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type ContainerShape, sandboxContainerSpec } from "./container-spec.js";
import { PoolClaims } from "./pool-claims.js";
import { ensurePrivateDir, type SandboxSettings } from "./sandbox-settings.js";

export type PooledContainer = { container: Docker.Container; digest: string; privateDir?: string };
/** The scope a pooled container is taken for: its key, its container name, its private directory (`none`) and the runner's private root. */
export type PoolTaker = { key: string; name: string; privateDir: string | undefined; privateRoot: string };

/**
 * A few containers started ahead of need, so the first call of a new scope pays a docker exec
 * (~70 ms) instead of create+start (~300–400 ms). A pooled container for private workspaces
 * mounts its own fresh directory, which is renamed to the scope's directory when claimed (the
 * bind mount follows the directory). Its labels keep `scope=pool`, `pool=true` (Docker cannot
 * relabel a container); the scope it was taken for is noted in PoolClaims for `sandbox list`.
 */
export class WarmPool {
  private ready: PooledContainer[] = [];
  private filling: Promise<void> | undefined;
  private closed = false;
  private claims: PoolClaims | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly runner: string,
    private readonly create: (spec: Docker.ContainerCreateOptions) => Promise<Docker.Container>,
  ) {}

  /** Tops the pool up to `settings.warmPool` containers of `shape`. Concurrent calls share one fill. */
  fill(settings: SandboxSettings, shape: () => Promise<ContainerShape>, digest: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.filling ??= (async () => {
      try {
        while (!this.closed && this.ready.filter((entry) => entry.digest === digest).length < settings.warmPool) {
          this.ready.push(await this.startOne(settings, await shape(), digest));
        }
      } finally {
        this.filling = undefined;
      }
    })();
    return this.filling;
  }

  /** Hands out a ready container of this shape, moved to the scope's name and (private) directory; undefined if none fits. */
  async claim(digest: string, taker: PoolTaker): Promise<Docker.Container | undefined> {
    const { key, name, privateDir, privateRoot } = taker;
    const index = this.ready.findIndex(
      (entry) => entry.digest === digest && (entry.privateDir === undefined) === (privateDir === undefined),
    );
    const entry = this.ready[index];
    if (!entry) return undefined;
    this.ready.splice(index, 1);
    try {
      if (entry.privateDir !== undefined && privateDir !== undefined) {
        // Fails if the scope's directory already exists (its files must stay its own): then no pool.
        await rename(entry.privateDir, privateDir);
      }
      await entry.container.rename({ name });
    } catch {
      await this.discard(entry);
      return undefined;
    }
    // Not awaited: the first call of a new scope does not wait for a note only `sandbox list` reads.
    if (this.claims === undefined || this.claims.privateRoot !== privateRoot) this.claims = new PoolClaims(privateRoot);
    this.claims.record(entry.container.id, key);
    return entry.container;
  }

  /** Removes every pooled container (e.g. after the configuration changed). */
  async drain(): Promise<void> {
    const entries = this.ready;
    this.ready = [];
    await Promise.all(entries.map((entry) => this.discard(entry)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.filling?.catch(() => undefined);
    await this.drain();
  }

  private async startOne(settings: SandboxSettings, shape: ContainerShape, digest: string): Promise<PooledContainer> {
    const id = randomBytes(6).toString("hex");
    let privateDir: string | undefined;
    if (shape.workspace.private) {
      privateDir = join(settings.privateRoot, `pool-${id}`);
      shape = { ...shape, workspace: await ensurePrivateDir(settings, privateDir) };
    }
    const container = await this.create(
      sandboxContainerSpec({ ...shape, name: `drawbridge-${this.runner}-pool-${id}`, runner: this.runner, scope: "pool", pool: true }),
    );
    return { container, digest, ...(privateDir ? { privateDir } : {}) };
  }

  private async discard(entry: PooledContainer): Promise<void> {
    await entry.container.remove({ force: true }).catch(() => undefined);
    if (entry.privateDir) await rm(entry.privateDir, { recursive: true, force: true });
  }
}
