import { lstat } from "node:fs/promises";
import { ensurePrivateDir, privateWorkspacePath, type ResolvedMount, type SandboxSettings } from "./sandbox-settings.js";

/** Scopes remembered at most; the oldest is forgotten first (it is prepared again if used). */
const MAX_REMEMBERED = 4096;

/**
 * Private workspaces already prepared, per scope. Preparing one (mkdir, chmod, resolving the path
 * and checking it against every system directory) costs a dozen file-system calls, which every
 * file tool call used to pay. A prepared one is reused while the same path is still a directory,
 * not a link (one lstat), and prepared again otherwise. This only skips re-deciding where the
 * workspace is: the file tools still open it with O_NOFOLLOW and walk below it by descriptor on
 * every call, so a link swapped in is refused as before.
 */
export class PrivateWorkspaces {
  private readonly prepared = new Map<string, { settings: SandboxSettings; mount: ResolvedMount }>();

  async mount(settings: SandboxSettings, key: string): Promise<ResolvedMount> {
    const known = this.prepared.get(key);
    // Settings are replaced, never changed in place: a preparation under older ones does not count.
    if (known && known.settings === settings && (await isDirectory(known.mount.hostPath))) return known.mount;
    const mount = await ensurePrivateDir(settings, privateWorkspacePath(settings, key));
    this.prepared.delete(key);
    this.prepared.set(key, { settings, mount });
    if (this.prepared.size > MAX_REMEMBERED) this.prepared.delete(this.prepared.keys().next().value ?? key);
    return mount;
  }

  /** New settings (another private root or scope): everything is prepared again. */
  forget(): void {
    this.prepared.clear();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isDirectory() === true;
}
