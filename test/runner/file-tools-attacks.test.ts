import { execFileSync } from "node:child_process";
import { link, mkdir, readFile as readHost, readdir, stat, symlink, truncate, writeFile as writeHost } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { editFile, listDir, readFile, writeFile, type Workspace } from "../../runner/workspace/file-tools.js";
import { WorkspaceError } from "../../runner/workspace/workspace-error.js";
import { tempDir } from "./support/sandbox-setup.js";

// Layout per test: <base>/ws is the workspace, <base>/outside holds a canary the tools must never touch,
// <base>/ws-evil is a sibling whose name starts like the workspace's.
const base = await tempDir("files");
let n = 0;
let ws: Workspace;
let outside: string;
let canary: string;
const SECRET = "canary-secret-never-read\n";

beforeEach(async () => {
  const dir = join(base.path, `case-${n++}`);
  await mkdir(join(dir, "ws", "sub"), { recursive: true });
  await mkdir(join(dir, "outside"));
  await mkdir(join(dir, "ws-evil"));
  outside = join(dir, "outside");
  canary = join(outside, "canary.txt");
  await writeHost(canary, SECRET);
  await writeHost(join(dir, "ws-evil", "loot.txt"), SECRET);
  await writeHost(join(dir, "ws", "hello.txt"), "hello\n");
  ws = { root: join(dir, "ws"), access: "rw", maxFileBytes: 4096 };
});
afterAll(() => base.remove());

async function refused(promise: Promise<unknown>, code: WorkspaceError["code"] = "forbidden"): Promise<WorkspaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  expect((error as WorkspaceError).code).toBe(code);
  // A refusal never echoes what lies outside.
  expect((error as WorkspaceError).message).not.toContain("canary-secret");
  return error as WorkspaceError;
}

async function canaryUntouched(): Promise<void> {
  expect(await readHost(canary, "utf8")).toBe(SECRET);
  expect(await readdir(outside)).toEqual(["canary.txt"]);
}

describe("file tools: what works", () => {
  it("reads, writes (atomically, creating parents), edits and lists inside the workspace", async () => {
    expect(await readFile(ws, { path: "hello.txt" })).toEqual({ tool: "read", path: "/workspace/hello.txt", content: "hello\n", bytes: 6 });
    expect(await writeFile(ws, { path: "/workspace/notes/a/b.md", content: "one two one" })).toMatchObject({ created: true, bytes: 11 });
    expect(await editFile(ws, { path: "notes/a/b.md", oldText: "two", newText: "2" })).toMatchObject({ replacements: 1 });
    await refused(editFile(ws, { path: "notes/a/b.md", oldText: "one", newText: "1" }), "bad_request");
    expect(await editFile(ws, { path: "notes/a/b.md", oldText: "one", newText: "1", replaceAll: true })).toMatchObject({ replacements: 2 });
    expect(await readHost(join(ws.root, "notes/a/b.md"), "utf8")).toBe("1 2 1");
    expect(await writeFile(ws, { path: "hello.txt", content: "bye" })).toMatchObject({ created: false });
    const listing = await listDir(ws, {});
    expect(listing.entries).toEqual([
      { name: "hello.txt", type: "file", bytes: 3 },
      { name: "notes", type: "dir" },
      { name: "sub", type: "dir" },
    ]);
    // No temporary file is left behind by the atomic writes.
    expect((await readdir(join(ws.root, "notes/a"))).filter((name) => name.includes(".tmp"))).toEqual([]);
  });

  it("refuses writes and edits in a read-only workspace", async () => {
    const ro: Workspace = { ...ws, access: "ro" };
    expect((await readFile(ro, { path: "hello.txt" })).content).toBe("hello\n");
    await refused(writeFile(ro, { path: "new.txt", content: "x" }));
    await refused(editFile(ro, { path: "hello.txt", oldText: "hello", newText: "x" }));
    expect(await readHost(join(ws.root, "hello.txt"), "utf8")).toBe("hello\n");
  });
});

describe("file tools: escape attempts", () => {
  it("'..' in any position", async () => {
    await refused(readFile(ws, { path: "../outside/canary.txt" }));
    await refused(readFile(ws, { path: "sub/../../outside/canary.txt" }));
    await refused(writeFile(ws, { path: "sub/../../outside/canary.txt", content: "pwned" }));
    await refused(listDir(ws, { path: ".." }));
    await canaryUntouched();
  });

  it("absolute paths outside /workspace, and the sibling prefix /workspace-evil", async () => {
    await refused(readFile(ws, { path: canary }));
    await refused(readFile(ws, { path: "/etc/passwd" }));
    await refused(readFile(ws, { path: "/workspace-evil/loot.txt" }));
    await refused(writeFile(ws, { path: "/workspace-evil/loot.txt", content: "x" }));
    await refused(listDir(ws, { path: "/workspace-evil" }));
    await canaryUntouched();
  });

  it("NUL bytes", async () => {
    await refused(readFile(ws, { path: "hello.txt\u0000../../outside/canary.txt" }), "bad_request");
    await refused(writeFile(ws, { path: "x\u0000y", content: "x" }), "bad_request");
  });

  it("an absolute symlink to a file outside", async () => {
    await symlink(canary, join(ws.root, "abs-link"));
    await refused(readFile(ws, { path: "abs-link" }));
    await refused(writeFile(ws, { path: "abs-link", content: "pwned" }));
    await refused(editFile(ws, { path: "abs-link", oldText: "canary", newText: "pwned" }));
    await canaryUntouched();
  });

  it("a relative symlink to a file outside", async () => {
    await symlink("../outside/canary.txt", join(ws.root, "rel-link"));
    await refused(readFile(ws, { path: "rel-link" }));
    await refused(writeFile(ws, { path: "rel-link", content: "pwned" }));
    await canaryUntouched();
  });

  it("a symlinked directory in the middle of the path", async () => {
    await symlink(outside, join(ws.root, "dir-link"));
    await refused(readFile(ws, { path: "dir-link/canary.txt" }));
    await refused(writeFile(ws, { path: "dir-link/canary.txt", content: "pwned" }));
    await refused(writeFile(ws, { path: "dir-link/new.txt", content: "pwned" }));
    await refused(listDir(ws, { path: "dir-link" }));
    await canaryUntouched();
  });

  it("a chain of symlinks that ends outside", async () => {
    await symlink("../outside/canary.txt", join(ws.root, "hop2"));
    await symlink("hop2", join(ws.root, "hop1"));
    await symlink("sub/../hop1", join(ws.root, "hop0"));
    await refused(readFile(ws, { path: "hop0" }));
    await refused(writeFile(ws, { path: "hop0", content: "pwned" }));
    await canaryUntouched();
  });

  it("a symlink that stays inside is still not followed", async () => {
    await symlink("hello.txt", join(ws.root, "inner-link"));
    await refused(readFile(ws, { path: "inner-link" }));
    expect((await listDir(ws, {})).entries).toContainEqual({ name: "inner-link", type: "symlink" });
  });

  it("a dangling symlink (write must not create its target outside)", async () => {
    await symlink(join(outside, "created-by-attack.txt"), join(ws.root, "dangling"));
    await refused(readFile(ws, { path: "dangling" }));
    await refused(writeFile(ws, { path: "dangling", content: "pwned" }));
    await symlink(join(outside, "newdir"), join(ws.root, "dangling-dir"));
    await refused(writeFile(ws, { path: "dangling-dir/x.txt", content: "pwned" }));
    await canaryUntouched();
  });

  it("a hard link to a file outside", async () => {
    await link(canary, join(ws.root, "hard"));
    await refused(readFile(ws, { path: "hard" }));
    await refused(editFile(ws, { path: "hard", oldText: "canary", newText: "pwned" }));
    await refused(writeFile(ws, { path: "hard", content: "pwned" }));
    await canaryUntouched();
    expect((await stat(canary)).nlink).toBe(2);
  });

  it("a FIFO (reading must not hang) and a device node", async () => {
    execFileSync("mkfifo", [join(ws.root, "fifo")]);
    await refused(readFile(ws, { path: "fifo" }));
    await refused(writeFile(ws, { path: "fifo", content: "x" }));
    if (process.getuid?.() === 0) {
      // Only root can make device nodes (the sandbox cannot: no CAP_MKNOD); this one is /dev/zero.
      execFileSync("mknod", [join(ws.root, "zero"), "c", "1", "5"]);
      await refused(readFile(ws, { path: "zero" }));
    }
    expect((await listDir(ws, {})).entries).toContainEqual({ name: "fifo", type: "other" });
  });

  it("a huge sparse file and a file over the cap", async () => {
    await writeHost(join(ws.root, "sparse"), "");
    await truncate(join(ws.root, "sparse"), 64 * 1024 * 1024 * 1024);
    await refused(readFile(ws, { path: "sparse" }), "payload_too_large");
    await refused(editFile(ws, { path: "sparse", oldText: "a", newText: "b" }), "payload_too_large");
    await writeHost(join(ws.root, "big"), "x".repeat(4097));
    await refused(readFile(ws, { path: "big" }), "payload_too_large");
    await refused(writeFile(ws, { path: "too-big", content: "y".repeat(4097) }), "payload_too_large");
  });

  it("a directory where a file is expected, and a file where a directory is expected", async () => {
    await refused(readFile(ws, { path: "sub" }), "bad_request");
    await refused(readFile(ws, { path: "hello.txt/x" }));
    await refused(writeFile(ws, { path: "hello.txt/x", content: "x" }));
    await refused(writeFile(ws, { path: "/workspace", content: "x" }), "bad_request");
  });
});
