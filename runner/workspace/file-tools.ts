import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readdir, rename, unlink, type FileHandle } from "node:fs/promises";
import type {
  EditArgs,
  EditOutput,
  LsArgs,
  LsEntry,
  LsOutput,
  ReadArgs,
  ReadOutput,
  WriteArgs,
  WriteOutput,
} from "../../shared/tools/files.js";
import { MAX_LS_ENTRIES } from "../../shared/tools/files.js";
import { at, entryAt, errno, openRegularFile, openRoot, ownLikeParent, refuseUnlessPlainFile, walkDirs } from "./confined-dir.js";
import { WorkspaceError } from "./workspace-error.js";
import { displayPath, workspaceComponents } from "./workspace-path.js";

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** The scope's workspace as the file tools see it: a host directory and how it may be used. */
export type Workspace = { root: string; access: "ro" | "rw"; maxFileBytes: number };

export async function readFile(ws: Workspace, args: ReadArgs): Promise<ReadOutput> {
  const names = workspaceComponents(args.path);
  const shown = displayPath(names);
  const bytes = await withParent(ws, names, false, (dir, name) => readConfined(dir, name, shown, ws.maxFileBytes));
  return { tool: "read", path: shown, content: decode(bytes), bytes: bytes.byteLength };
}

export async function writeFile(ws: Workspace, args: WriteArgs): Promise<WriteOutput> {
  refuseReadOnly(ws);
  const names = workspaceComponents(args.path);
  const shown = displayPath(names);
  const bytes = Buffer.from(args.content, "utf8");
  if (bytes.byteLength > ws.maxFileBytes) throw tooLarge(shown, ws.maxFileBytes);
  const created = await withParent(ws, names, true, (dir, name) => replaceAtomically(dir, name, shown, bytes));
  return { tool: "write", path: shown, bytes: bytes.byteLength, created };
}

export async function editFile(ws: Workspace, args: EditArgs): Promise<EditOutput> {
  refuseReadOnly(ws);
  const names = workspaceComponents(args.path);
  const shown = displayPath(names);
  return withParent(ws, names, false, async (dir, name) => {
    const text = decode(await readConfined(dir, name, shown, ws.maxFileBytes));
    const count = text.split(args.oldText).length - 1;
    if (count === 0) throw new WorkspaceError("bad_request", `oldText was not found in ${shown}`);
    if (count > 1 && !args.replaceAll) {
      throw new WorkspaceError("bad_request", `oldText occurs ${count} times in ${shown}; make it unique or set replaceAll`);
    }
    const updated = Buffer.from(text.split(args.oldText).join(args.newText), "utf8");
    if (updated.byteLength > ws.maxFileBytes) throw tooLarge(shown, ws.maxFileBytes);
    await replaceAtomically(dir, name, shown, updated);
    return { tool: "edit", path: shown, replacements: count, bytes: updated.byteLength };
  });
}

export async function listDir(ws: Workspace, args: LsArgs): Promise<LsOutput> {
  const names = workspaceComponents(args.path ?? ".");
  const shown = displayPath(names);
  const root = await openRoot(ws.root);
  try {
    const dir = await walkDirs(root, names, shown);
    try {
      const found = (await readdir(at(dir))).sort();
      const entries: LsEntry[] = [];
      for (const name of found.slice(0, MAX_LS_ENTRIES)) {
        const stats = await entryAt(dir, name);
        if (!stats) continue; // removed while listing
        const type = stats.isFile() ? "file" : stats.isDirectory() ? "dir" : stats.isSymbolicLink() ? "symlink" : "other";
        entries.push(type === "file" ? { name, type, bytes: stats.size } : { name, type });
      }
      return { tool: "ls", path: shown, entries, truncated: found.length > MAX_LS_ENTRIES };
    } finally {
      if (dir !== root) await dir.close();
    }
  } finally {
    await root.close();
  }
}

/** Opens the root, walks to the parent of the last name (symlink-safe) and runs `use` there. */
async function withParent<T>(
  ws: Workspace,
  names: string[],
  create: boolean,
  use: (dir: FileHandle, name: string) => Promise<T>,
): Promise<T> {
  const name = names.at(-1);
  if (name === undefined) throw new WorkspaceError("bad_request", `${displayPath(names)} is a directory`);
  const root = await openRoot(ws.root);
  try {
    const dir = await walkDirs(root, names.slice(0, -1), displayPath(names), create);
    try {
      return await use(dir, name);
    } finally {
      if (dir !== root) await dir.close();
    }
  } finally {
    await root.close();
  }
}

/** Reads at most the cap, from the descriptor that passed the checks (a file growing meanwhile is caught too). */
async function readConfined(dir: FileHandle, name: string, shown: string, cap: number): Promise<Buffer> {
  const { file, stats } = await openRegularFile(dir, name, shown);
  try {
    if (stats.size > cap) throw tooLarge(shown, cap);
    const buffer = Buffer.alloc(cap + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, filled, buffer.byteLength - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > cap) throw tooLarge(shown, cap);
    }
    return buffer.subarray(0, filled);
  } finally {
    await file.close();
  }
}

/**
 * Writes a temporary file beside the target and renames it over the target. rename(2) replaces
 * the directory entry itself, so a symlink or hard link planted at the target is never followed:
 * the file it pointed to stays untouched. Returns whether the file is new.
 */
async function replaceAtomically(dir: FileHandle, name: string, shown: string, bytes: Buffer): Promise<boolean> {
  const existing = await entryAt(dir, name);
  if (existing) refuseUnlessPlainFile(existing, shown);
  const temp = `.drawbridge-${randomBytes(8).toString("hex")}.tmp`;
  let file: FileHandle;
  try {
    file = await open(at(dir, temp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, existing ? existing.mode & 0o777 : 0o644);
  } catch (error) {
    throw new WorkspaceError(
      errno(error) === "EACCES" ? "forbidden" : "tool_failed",
      `${shown} could not be written (${errno(error) ?? "error"})`,
    );
  }
  try {
    try {
      await file.writeFile(bytes);
      await ownLikeParent(dir, file);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(at(dir, temp), at(dir, name));
  } catch (error) {
    await unlink(at(dir, temp)).catch(() => undefined);
    if (error instanceof WorkspaceError) throw error;
    throw new WorkspaceError("tool_failed", `${shown} could not be written (${errno(error) ?? "error"})`);
  }
  return existing === undefined;
}

function refuseReadOnly(ws: Workspace): void {
  if (ws.access === "ro") throw new WorkspaceError("forbidden", "the workspace is read-only for this scope (workspaceAccess ro)");
}

function tooLarge(shown: string, cap: number): WorkspaceError {
  return new WorkspaceError("payload_too_large", `${shown} is larger than the ${cap}-byte limit for file tools`);
}

function decode(bytes: Buffer): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}
