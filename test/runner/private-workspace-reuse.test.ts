import { mkdir, rename, rm, symlink, writeFile as writeHost } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dispatchCall } from "../../runner/tools/dispatch.js";
import { listDir } from "../../runner/workspace/file-tools.js";
import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

// A scope's private workspace is prepared (made, checked, resolved) once and reused
// (runner/sandbox/private-workspaces.ts). Reuse must not turn into trust: a workspace swapped
// for a link after its first use is refused, and one that vanished is made again.
const state = await tempDir("ws-reuse");
afterAll(() => state.remove());

const floor = {
  tools: new Set(["ls", "read", "write"]),
  sandboxRequired: true,
  elevatedAllowed: false,
  maxExecMs: 10_000,
  maxFileBytes: 65536,
};
const call = (session: string, request: ToolRequest) =>
  ({ type: "call", seq: 1, id: "c", session, request, timeoutMs: 10_000, capability: "" }) as Call;

async function outside(): Promise<string> {
  const dir = join(state.path, "outside");
  await mkdir(dir, { recursive: true });
  await writeHost(join(dir, "secret.txt"), "host secret");
  return dir;
}

describe("a private workspace reused across calls", () => {
  it("swapped for a symlink after its first use: refused, never followed", async () => {
    const runner = uniqueRunner("reuse");
    const sandbox = testSandbox(runner, testSettings(join(state.path, runner)));
    const host = { sandbox, floor };
    expect(await dispatchCall(host, call("s", { tool: "write", args: { path: "mine.txt", content: "mine" } }))).toMatchObject({ ok: true });
    const { hostPath } = await sandbox.workspaceFor("s");

    await rename(hostPath, `${hostPath}.moved`);
    await symlink(await outside(), hostPath);
    for (const request of [
      { tool: "ls", args: {} },
      { tool: "read", args: { path: "secret.txt" } },
    ] satisfies ToolRequest[]) {
      const outcome = await dispatchCall(host, call("s", request));
      expect(outcome).toMatchObject({ ok: false });
      expect(JSON.stringify(outcome)).not.toContain("host secret");
    }
    // Even holding the old path (as a call already past the preparation would), the file tools do not follow it.
    await expect(listDir({ root: hostPath, access: "rw", maxFileBytes: 65536 }, {})).rejects.toThrow(/workspace cannot be opened/);
  });

  it("removed after its first use: made again, empty", async () => {
    const runner = uniqueRunner("reuse");
    const sandbox = testSandbox(runner, testSettings(join(state.path, runner)));
    const host = { sandbox, floor };
    await dispatchCall(host, call("s", { tool: "write", args: { path: "old.txt", content: "old" } }));
    await rm((await sandbox.workspaceFor("s")).hostPath, { recursive: true });
    expect(await dispatchCall(host, call("s", { tool: "ls", args: {} }))).toMatchObject({ ok: true, output: { entries: [] } });
    expect(await dispatchCall(host, call("s", { tool: "write", args: { path: "new.txt", content: "new" } }))).toMatchObject({ ok: true });
  });
});
