import { chmod, chown, mkdir, readFile as readHost, realpath, symlink, writeFile as writeHost } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_UID } from "../../runner/sandbox/container-spec.js";
import type { DockerSandbox } from "../../runner/sandbox/docker-sandbox.js";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import type { SandboxSettings } from "../../runner/sandbox/sandbox-settings.js";
import { readFile, writeFile } from "../../runner/workspace/file-tools.js";
import { WorkspaceError } from "../../runner/workspace/workspace-error.js";
import { containersOf, docker } from "../support/docker-probe.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

const state = await tempDir("scopes");
const roots = join(state.path, "home");
const userWorkspace = join(roots, "project");
const created: Array<{ runner: string; sandbox: DockerSandbox }> = [];
// Acceptance 1: every container of every scope and workspace mode, binds only from inside the test's directory.
const hardening = everySandboxHardened([], async () => [await realpath(state.path)]);

function sandboxWith(overrides: Partial<SandboxSettings>): { runner: string; sandbox: DockerSandbox } {
  const runner = hardening.follow(uniqueRunner("scope"));
  const entry = {
    runner,
    sandbox: testSandbox(runner, testSettings(join(state.path, runner), { roots: [roots], userWorkspace, ...overrides })),
  };
  created.push(entry);
  return entry;
}

async function fileTool(sandbox: DockerSandbox, session: string) {
  const ws = await sandbox.workspaceFor(session);
  return { root: ws.hostPath, access: ws.access, maxFileBytes: 65536 };
}

beforeAll(async () => {
  await ensureSandboxImage(docker);
  await mkdir(userWorkspace, { recursive: true });
  await writeHost(join(userWorkspace, "README.md"), "the user's project\n");
  // The sandbox user must be able to write the user's workspace for `rw`.
  if (process.getuid?.() === 0) await chown(userWorkspace, SANDBOX_UID, SANDBOX_UID);
  else await chmod(userWorkspace, 0o777);
}, 120_000);

afterAll(async () => {
  for (const { sandbox } of created) await sandbox.removeAll();
  await state.remove();
});

describe("scope isolation", () => {
  it("two sessions see neither each other's files nor each other's processes", async () => {
    // Alice's background process must outlive her call to be seen (or not) from Bob's: runner.json keeps it.
    const { sandbox } = sandboxWith({ scope: "session", workspaceAccess: "none", keepBackgroundProcesses: true });
    await sandbox.exec("alice", "echo alice-private > /workspace/diary.txt; sleep 300 >/dev/null 2>&1 &", 10_000);
    await writeFile(await fileTool(sandbox, "alice"), { path: "notes.txt", content: "alice-notes" });
    const bob = await sandbox.exec("bob", "ls -A /workspace; echo ---; ps -o args", 10_000);
    const [files, processes] = bob.stdout.split("---\n");
    expect(files).toBe("");
    expect(processes).not.toMatch(/sleep 300/);
    await expect(readFile(await fileTool(sandbox, "bob"), { path: "diary.txt" })).rejects.toThrow(WorkspaceError);
    // Alice still has both.
    const alice = await sandbox.exec("alice", "cat /workspace/notes.txt; echo; ps -o args | grep -c '^sleep 300$'", 10_000);
    expect(alice.stdout).toBe("alice-notes\n1\n");
  });

  it("agent scope shares one sandbox per agent; shared scope one for everyone", async () => {
    const agent = sandboxWith({ scope: "agent" });
    await agent.sandbox.exec("dm:telegram:1", "echo one > /workspace/from-1", 10_000);
    expect((await agent.sandbox.exec("dm:telegram:2", "cat /workspace/from-1", 10_000)).stdout).toBe("one\n");
    expect((await agent.sandbox.exec("main", "ls -A /workspace", 10_000)).stdout).toBe("");
    expect((await containersOf(agent.runner)).map((c) => c.Labels["dev.drawbridge.scope"]).sort()).toEqual(["agent:dm", "agent:main"]);
    const shared = sandboxWith({ scope: "shared" });
    await shared.sandbox.exec("a", "true", 10_000);
    await shared.sandbox.exec("b", "true", 10_000);
    expect((await containersOf(shared.runner)).map((c) => c.Labels["dev.drawbridge.scope"])).toEqual(["shared"]);
  });

  it("`ro` mounts the user's workspace read-only: reads work, exec and file-tool writes are refused", async () => {
    const { sandbox } = sandboxWith({ workspaceAccess: "ro" });
    const result = await sandbox.exec("s", "cat /workspace/README.md; echo x > /workspace/new; echo rc=$?", 10_000);
    expect(result.stdout).toBe("the user's project\nrc=1\n");
    expect(result.stderr).toMatch(/Read-only file system/);
    const ws = await fileTool(sandbox, "s");
    expect((await readFile(ws, { path: "README.md" })).content).toBe("the user's project\n");
    await expect(writeFile(ws, { path: "README.md", content: "changed" })).rejects.toThrow(/read-only/);
    expect(await readHost(join(userWorkspace, "README.md"), "utf8")).toBe("the user's project\n");
  });

  it("`rw` mounts it writable, so exec and the file tools see each other's changes", async () => {
    const { sandbox } = sandboxWith({ workspaceAccess: "rw" });
    await sandbox.exec("s", "echo from-sandbox > /workspace/out.txt", 10_000);
    expect(await readHost(join(userWorkspace, "out.txt"), "utf8")).toBe("from-sandbox\n");
    await writeFile(await fileTool(sandbox, "s"), { path: "in.txt", content: "from-tool" });
    expect((await sandbox.exec("s", "cat /workspace/in.txt", 10_000)).stdout).toBe("from-tool");
  });

  it("`none` never sees the user's workspace, even when one is configured", async () => {
    const { sandbox } = sandboxWith({ workspaceAccess: "none" });
    const result = await sandbox.exec("s", "ls -A /workspace; cat /workspace/README.md 2>&1", 10_000);
    expect(result.stdout).not.toContain("the user's project");
    expect((await sandbox.workspaceFor("s")).hostPath).not.toBe(await realpath(userWorkspace));
  });

  it("a workspace outside the roots, or reached through a symlink to a system path, is never mounted", async () => {
    const outside = sandboxWith({ workspaceAccess: "ro", userWorkspace: state.path });
    await expect(outside.sandbox.exec("s", "true", 10_000)).rejects.toThrow(/outside the configured workspace roots/);
    await symlink("/etc", join(roots, "etc-link"));
    const viaLink = sandboxWith({ workspaceAccess: "ro", userWorkspace: join(roots, "etc-link") });
    await expect(viaLink.sandbox.exec("s", "true", 10_000)).rejects.toThrow(/resolves to \/etc/);
    expect(await containersOf(outside.runner)).toEqual([]);
    expect(await containersOf(viaLink.runner)).toEqual([]);
  });
});
