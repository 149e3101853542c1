import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, type FileHandle } from "node:fs/promises";
import { WorkspaceError } from "./workspace-error.js";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NOCTTY, O_NONBLOCK } = constants;

/**
 * The name `name` inside the directory held open as `dir`. The kernel resolves
 * `/proc/self/fd/N` to the very directory the descriptor holds (not to a path that could have
 * been swapped since), and looks `name` up inside it: openat(2) semantics from Node, which has
 * no openat. With O_NOFOLLOW a symlink in `name` is refused instead of followed.
 */
export function at(dir: FileHandle, name?: string): string {
  return name === undefined ? `/proc/self/fd/${dir.fd}` : `/proc/self/fd/${dir.fd}/${name}`;
}

/** Opens the workspace root itself (a path the runner resolved from its own config, never from a call). */
export async function openRoot(root: string): Promise<FileHandle> {
  try {
    return await open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    if (errno(error) === "ENOENT") throw new WorkspaceError("not_found", "the workspace does not exist yet");
    throw new WorkspaceError("tool_failed", "the workspace cannot be opened");
  }
}

/**
 * Walks `names` below `root` one directory at a time, never following a symlink, and returns
 * the last directory held open. With `create`, missing directories are made (owned like their parent).
 * The caller closes the result; `root` stays open.
 */
export async function walkDirs(root: FileHandle, names: string[], shown: string, create = false): Promise<FileHandle> {
  let current = root;
  try {
    for (const name of names) {
      const next = await openChildDir(current, name, shown, create);
      if (current !== root) await current.close();
      current = next;
    }
    return current;
  } catch (error) {
    if (current !== root) await current.close();
    throw error;
  }
}

async function openChildDir(dir: FileHandle, name: string, shown: string, create: boolean): Promise<FileHandle> {
  try {
    return await open(at(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    const code = errno(error);
    if (code === "ENOENT" && create) {
      await mkdir(at(dir, name), 0o755).catch((e: unknown) => {
        if (errno(e) !== "EEXIST") throw e;
      });
      const made = await openChildDir(dir, name, shown, false);
      await ownLikeParent(dir, made);
      return made;
    }
    throw explain(code, shown);
  }
}

/**
 * Opens an existing regular file inside `dir` for reading, refusing symlinks, FIFOs, devices,
 * directories and hard links (a second name may be a file outside the workspace). The lstat
 * before the open keeps FIFOs and devices from being opened at all; O_NOFOLLOW|O_NONBLOCK and
 * the identity check after it catch a swap in between.
 */
export async function openRegularFile(dir: FileHandle, name: string, shown: string): Promise<{ file: FileHandle; stats: Stats }> {
  const before = await lstat(at(dir, name)).catch((error: unknown) => {
    throw explain(errno(error), shown);
  });
  refuseUnlessPlainFile(before, shown);
  let file: FileHandle;
  try {
    file = await open(at(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch (error) {
    throw explain(errno(error), shown);
  }
  const stats = await file.stat();
  if (stats.ino !== before.ino || stats.dev !== before.dev) {
    await file.close();
    throw new WorkspaceError("forbidden", `${shown} changed while it was being opened; refusing`);
  }
  try {
    refuseUnlessPlainFile(stats, shown);
  } catch (error) {
    await file.close();
    throw error;
  }
  return { file, stats };
}

/** What sits at `name` in `dir` right now, without following it; undefined when nothing does. */
export async function entryAt(dir: FileHandle, name: string): Promise<Stats | undefined> {
  try {
    return await lstat(at(dir, name));
  } catch (error) {
    if (errno(error) === "ENOENT") return undefined;
    throw new WorkspaceError("tool_failed", "the workspace could not be read");
  }
}

export function refuseUnlessPlainFile(stats: Stats, shown: string): void {
  if (stats.isSymbolicLink()) throw new WorkspaceError("forbidden", `${shown} is a symlink; file tools do not follow links`);
  if (stats.isDirectory()) throw new WorkspaceError("bad_request", `${shown} is a directory`);
  if (!stats.isFile()) throw new WorkspaceError("forbidden", `${shown} is not a regular file (a FIFO, socket or device)`);
  if (stats.nlink > 1)
    throw new WorkspaceError("forbidden", `${shown} has other hard links, which may lie outside the workspace; refusing`);
}

/** When the runner is root, what it creates belongs to whoever owns the directory (so the sandbox can use it). */
export async function ownLikeParent(parent: FileHandle, child: FileHandle): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const owner = await parent.stat();
  await child.chown(owner.uid, owner.gid);
}

export function errno(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

function explain(code: string | undefined, shown: string): WorkspaceError {
  switch (code) {
    case "ENOENT":
      return new WorkspaceError("not_found", `${shown} does not exist`);
    case "ELOOP":
      return new WorkspaceError("forbidden", `${shown} goes through a symlink; file tools do not follow links`);
    case "ENOTDIR":
      return new WorkspaceError("forbidden", `${shown}: a component is not a directory (or is a symlink)`);
    case "EACCES":
    case "EPERM":
      return new WorkspaceError("forbidden", `${shown}: permission denied`);
    default:
      return new WorkspaceError("tool_failed", `${shown} could not be opened (${code ?? "error"})`);
  }
}
