import { chmod, chown, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { checkBindSource } from "./bind-source.js";
import type { ContainerShape } from "./container-spec.js";
import { SANDBOX_UID } from "./container-spec.js";
import type { SandboxLimits, SandboxScope, WorkspaceAccess } from "./sandbox-runtime.js";
import { scopeDigest } from "./sandbox-scope.js";

/** How a runner's sandboxes are shaped and kept. Comes from the runner config file (runner/floor). */
export type SandboxSettings = {
  scope: SandboxScope;
  workspaceAccess: WorkspaceAccess;
  /** The user's workspace, mounted for `ro`/`rw`. */
  userWorkspace?: string | undefined;
  /** Bind sources must resolve inside one of these. */
  roots: string[];
  /** Private workspaces (`none`) live here, one directory per scope. */
  privateRoot: string;
  limits: SandboxLimits;
  /** A container unused this long is stopped and removed. */
  idleMs: number;
  /** Started containers kept ready for new scopes. */
  warmPool: number;
  /** Processes a call leaves running outlive it (runner.json `sandbox.keepBackgroundProcesses`); by default they end with the call. */
  keepBackgroundProcesses?: boolean | undefined;
  /** The AppArmor profile containers are created with; undefined where the host has no AppArmor. */
  appArmorProfile?: string | undefined;
  /** Calls go through a resident executor in each container instead of a docker exec each (runner.json `sandbox.residentExecutor`; docs/resident-executor.md). */
  residentExecutor?: boolean | undefined;
};

export type ResolvedMount = ContainerShape["workspace"];

/** The private workspace directory of a scope (it may not exist yet). */
export function privateWorkspacePath(settings: SandboxSettings, key: string): string {
  return join(settings.privateRoot, scopeDigest(key));
}

/** The user's workspace mount for `ro`/`rw`, checked; undefined for `none`. */
export async function sharedMount(settings: SandboxSettings): Promise<ResolvedMount | undefined> {
  if (settings.workspaceAccess === "none") return undefined;
  if (!settings.userWorkspace) throw new Error(`workspaceAccess ${settings.workspaceAccess} needs workspace.path in the runner config`);
  const hostPath = await checkBindSource(settings.userWorkspace, settings.roots);
  return { hostPath, readOnly: settings.workspaceAccess === "ro", private: false };
}

/** Creates (if needed) and checks a private workspace directory, writable by the sandbox user. */
export async function ensurePrivateDir(settings: SandboxSettings, dir: string): Promise<ResolvedMount> {
  await mkdir(settings.privateRoot, { recursive: true, mode: 0o700 });
  await chmod(settings.privateRoot, 0o700);
  try {
    await mkdir(dir, { mode: 0o700 });
    if (process.getuid?.() === 0) await chown(dir, SANDBOX_UID, SANDBOX_UID);
    // Not root: the sandbox user is someone else, so the directory is open to it; the 0700 parent keeps other host users out.
    else await chmod(dir, 0o777);
  } catch (error) {
    if (!(typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST")) throw error;
  }
  const hostPath = await checkBindSource(dir, [settings.privateRoot], settings.privateRoot);
  return { hostPath, readOnly: false, private: true };
}
