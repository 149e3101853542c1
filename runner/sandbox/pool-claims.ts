import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RunnerName } from "../../shared/tunnel/protocol.js";

/** Claims remembered at most; the oldest go first (by then their containers are long gone). */
const MAX_CLAIMS = 1000;
const FILE = "pool-claims.json";

/**
 * Which scope each container taken from the warm pool serves. A pooled container is created before
 * any scope asks for it, and Docker cannot change a container's labels, so its labels keep saying
 * `scope=pool` (with `pool=true`) for its whole life; when taken it is renamed to its scope's
 * container name, and the runner notes the scope here for `drawbridge sandbox list`. The file lives
 * in the runner's own 0700 directory of private workspaces, which no sandbox mounts.
 */
export class PoolClaims {
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly privateRoot: string) {}

  /** Notes that `containerId` now serves `scope`. Writes one after another; a failed write only costs `sandbox list` the name. */
  record(containerId: string, scope: string): void {
    this.writing = this.writing.then(() => this.write(containerId, scope)).catch(() => undefined);
  }

  private async write(containerId: string, scope: string): Promise<void> {
    const claims = Object.entries(await readClaims(this.privateRoot)).filter(([id]) => id !== containerId);
    claims.push([containerId, scope]);
    await mkdir(this.privateRoot, { recursive: true, mode: 0o700 });
    const path = join(this.privateRoot, FILE);
    await writeFile(`${path}.tmp`, JSON.stringify(Object.fromEntries(claims.slice(-MAX_CLAIMS))), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }
}

/** The scopes of a runner's claimed pool containers by container id; empty if it has noted none here. */
export async function readClaims(privateRoot: string): Promise<Record<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(privateRoot, FILE), "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  } catch {
    return {};
  }
}

/** Where a runner of this name keeps its private workspaces (and this file), under a state dir; undefined for a name no runner can have. */
export function privateRootOf(stateDir: string, runner: string): string | undefined {
  return RunnerName.safeParse(runner).success ? join(stateDir, "sandboxes", runner) : undefined;
}
