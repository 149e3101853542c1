import { spawn } from "node:child_process";
import { mkdir, readdir, readFile as readHost, stat, writeFile as writeHost } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { editFile, listDir, readFile, writeFile, type Workspace } from "../../runner/workspace/file-tools.js";
import { WorkspaceError } from "../../runner/workspace/workspace-error.js";
import { tempDir } from "./support/sandbox-setup.js";

const SWAP_MS = 3000;
const SECRET = "canary-secret-never-read\n";
const base = await tempDir("race");
afterAll(() => base.remove());

function runSwapper(ws: string, outside: string): Promise<number> {
  const script = fileURLToPath(new URL("./support/swapper.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, ws, outside, String(SWAP_MS)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`swapper exited ${code}`))));
  });
}

describe("file tools under a check/use race", () => {
  it("a directory and a file swapped for symlinks thousands of times: the canary outside never changes and is never read", async () => {
    const ws = join(base.path, "ws");
    const outside = join(base.path, "outside");
    await mkdir(join(ws, "d"), { recursive: true });
    await mkdir(outside);
    await writeHost(join(ws, "d", "f"), "inside\n");
    await writeHost(join(ws, "g"), "inside\n");
    // The same names outside, so a followed link would land on them.
    await writeHost(join(outside, "f"), SECRET);
    await writeHost(join(outside, "canary.txt"), SECRET);
    const before = await stat(join(outside, "canary.txt"));
    const workspace: Workspace = { root: ws, access: "rw", maxFileBytes: 4096 };

    let done = false;
    const swapper = runSwapper(ws, outside).finally(() => (done = true));
    const contents: string[] = [];
    const unexpected: unknown[] = [];
    let operations = 0;
    const worker = async (step: number) => {
      while (!done) {
        operations++;
        try {
          switch ((operations + step) % 6) {
            case 0:
              contents.push((await readFile(workspace, { path: "d/f" })).content);
              break;
            case 1:
              await writeFile(workspace, { path: "d/f", content: "inside\n" });
              break;
            case 2:
              contents.push((await readFile(workspace, { path: "g" })).content);
              break;
            case 3:
              await writeFile(workspace, { path: "g", content: "inside\n" });
              break;
            case 4:
              await editFile(workspace, { path: "d/f", oldText: "inside", newText: "inside" });
              break;
            case 5:
              contents.push(JSON.stringify(await listDir(workspace, { path: "d" })));
              break;
          }
        } catch (error) {
          // Refusals and "not there right now" are the expected losses of the race; anything else is not.
          if (!(error instanceof WorkspaceError)) unexpected.push(error);
        }
      }
    };
    await Promise.all([swapper, worker(0), worker(1), worker(2), worker(3)]);
    const rounds = await swapper;

    expect(rounds).toBeGreaterThan(1000);
    expect(operations).toBeGreaterThan(500);
    expect(unexpected).toEqual([]);
    expect(contents.length).toBeGreaterThan(100);
    expect(contents.filter((text) => text.includes("canary-secret"))).toEqual([]);
    expect(await readHost(join(outside, "canary.txt"), "utf8")).toBe(SECRET);
    expect(await readHost(join(outside, "f"), "utf8")).toBe(SECRET);
    const after = await stat(join(outside, "canary.txt"));
    expect([after.ino, after.mtimeMs, after.nlink]).toEqual([before.ino, before.mtimeMs, before.nlink]);
    expect((await readdir(outside)).sort()).toEqual(["canary.txt", "f"]);
  }, 30_000);
});
