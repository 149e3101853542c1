import { spawnSync } from "node:child_process";
import { chmod, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { AuditLog } from "../../runner/audit/audit-log.js";
import { floorFrom } from "../../runner/floor/local-floor.js";
import { parseRunnerFile } from "../../runner/floor/load-runner-file.js";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { dispatchCall, type ToolHost } from "../../runner/tools/dispatch.js";
import { containersOf, docker } from "../support/docker-probe.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

const runner = uniqueRunner("floor");
const state = await tempDir("floor");
const sandbox = testSandbox(runner, testSettings(state.path));
// Acceptance 1: every container the floor's calls create (including the one thrown away after a lowered time limit).
everySandboxHardened([runner], async () => [await realpath(state.path)]);
let audit: AuditLog;
let seq = 0;

// A call as it arrives after the tunnel verified its capability: signed by the gateway, valid, fresh.
function call(session: string, request: ToolRequest, timeoutMs = 10_000): Call {
  return { type: "call", id: `call-${++seq}`, session, request, timeoutMs } as Call;
}
const host = (file: unknown): ToolHost => ({ sandbox, floor: floorFrom(parseRunnerFile(file)), audit });
const auditLines = async () =>
  (await readFile(audit.path, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  await ensureSandboxImage(docker);
  audit = await AuditLog.open(join(state.path, "audit.jsonl"));
}, 120_000);
afterAll(async () => {
  await sandbox.removeAll();
  await audit.close();
  await state.remove();
});

describe("the runner's local policy floor", () => {
  it("refuses a tool this runner does not serve, with its reason, and runs nothing", async () => {
    const floor = host({ tools: ["read", "ls"] });
    const outcome = await dispatchCall(floor, call("f1", { tool: "exec", args: { command: "touch /workspace/ran" } }));
    expect(outcome).toEqual({ ok: false, error: { code: "forbidden", message: expect.stringMatching(/does not serve the exec tool/) } });
    const write = await dispatchCall(floor, call("f1", { tool: "write", args: { path: "x.txt", content: "x" } }));
    expect(write).toMatchObject({ ok: false, error: { code: "forbidden", message: expect.stringMatching(/write tool/) } });
    expect(await containersOf(runner)).toEqual([]);
    expect((await dispatchCall(floor, call("f1", { tool: "ls", args: {} }))).ok).toBe(true);
  });

  it("refuses an unsandboxed (elevated) exec unless the floor allows it, and this version never runs one", async () => {
    const request: ToolRequest = { tool: "exec", args: { command: "id > /tmp/elevated-ran", elevated: true } };
    const strict = await dispatchCall(host({}), call("f2", request));
    expect(strict).toMatchObject({ ok: false, error: { code: "forbidden", message: expect.stringMatching(/sandbox\.required/) } });
    const off = await dispatchCall(host({ sandbox: { required: false } }), call("f2", request));
    expect(off).toMatchObject({ ok: false, error: { code: "forbidden", message: expect.stringMatching(/elevated\.allowed/) } });
    const on = await dispatchCall(host({ sandbox: { required: false }, elevated: { allowed: true } }), call("f2", request));
    expect(on).toMatchObject({ ok: false, error: { code: "forbidden" } });
    await expect(stat("/tmp/elevated-ran")).rejects.toMatchObject({ code: "ENOENT" });
    expect(await containersOf(runner)).toEqual([]);
  });

  it("lowers an over-long time limit to its own maximum", async () => {
    const outcome = await dispatchCall(
      host({ limits: { maxExecSeconds: 1 } }),
      call("f3", { tool: "exec", args: { command: "sleep 20" } }, 600_000),
    );
    expect(outcome).toMatchObject({ ok: true, output: { timedOut: true, exitCode: null } });
  }, 30_000);

  it("serves the file tools in the session's workspace through the same entry", async () => {
    const open = host({});
    await dispatchCall(open, call("f4", { tool: "write", args: { path: "/workspace/a.txt", content: "alpha" } }));
    expect(
      await dispatchCall(open, call("f4", { tool: "edit", args: { path: "a.txt", oldText: "alpha", newText: "beta" } })),
    ).toMatchObject({ ok: true });
    expect(await dispatchCall(open, call("f4", { tool: "read", args: { path: "a.txt" } }))).toMatchObject({
      ok: true,
      output: { content: "beta" },
    });
    expect(await dispatchCall(open, call("f4", { tool: "exec", args: { command: "cat /workspace/a.txt" } }))).toMatchObject({
      output: { stdout: "beta" },
    });
    expect(await dispatchCall(open, call("f4", { tool: "read", args: { path: "../a.txt" } }))).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
  });

  it("audits every call with its decision and outcome, secrets redacted, in a 0600 file", async () => {
    const secretCommand =
      "TELEGRAM_BOT_TOKEN=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw curl -H 'Authorization: Bearer s3cr3t-bearer-value' x; echo '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'";
    await dispatchCall(host({}), call("f5", { tool: "exec", args: { command: secretCommand } }));
    await dispatchCall(host({ tools: ["exec"] }), call("f5", { tool: "read", args: { path: "a.txt" } }));
    expect((await stat(audit.path)).mode & 0o777).toBe(0o600);
    const text = await readFile(audit.path, "utf8");
    expect(text).not.toMatch(/AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw|s3cr3t-bearer-value|MIIEvQIBADANBgkqhkiG9w0BAQEFAASC/);
    const lines = await auditLines();
    const mine = lines.filter((line) => line.session === "f5");
    expect(mine).toEqual([
      expect.objectContaining({
        event: "tool.call",
        tool: "exec",
        decision: "allowed",
        outcome: expect.objectContaining({ ok: true, exitCode: 0 }),
      }),
      expect.objectContaining({
        event: "tool.call",
        tool: "read",
        decision: "refused",
        outcome: expect.objectContaining({ ok: false, code: "forbidden" }),
      }),
    ]);
    expect(String((mine[0]?.args as { command: string }).command)).toContain("TELEGRAM_BOT_TOKEN=[REDACTED]");
    expect(lines.filter((line) => line.decision === "refused").length).toBeGreaterThanOrEqual(6);
  });

  it("narrows an existing audit file to 0600 when it opens it", async () => {
    const path = join(state.path, "old-audit.jsonl");
    await writeFile(path, "");
    await chmod(path, 0o644);
    const log = await AuditLog.open(path);
    await log.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});

describe("the runner config file", () => {
  it("has safe defaults when empty", () => {
    const config = parseRunnerFile({});
    expect(config).toMatchObject({
      tools: ["exec", "read", "write", "edit", "ls"],
      sandbox: { required: true, scope: "session", workspaceAccess: "none" },
      elevated: { allowed: false },
    });
  });

  it.each([
    [{ sandbox: { memoryMb: "lots" } }, /sandbox\.memoryMb/],
    [{ sandbox: { memoryMb: 1 } }, /sandbox\.memoryMb/],
    [{ sandbox: { scope: "global" } }, /sandbox\.scope/],
    [{ sandbx: {} }, /unknown key sandbx/],
    [{ sandbox: { idle: 3 } }, /unknown key sandbox\.idle/],
    [{ tools: ["exec", "rm"] }, /tools\.1/],
    [{ sandbox: { workspaceAccess: "rw" } }, /workspace\.path: is required/],
    [{ workspace: { roots: ["/"], path: "/home/me/project" } }, /workspace\.roots\.0/],
    [{ workspace: { roots: ["relative/dir"] } }, /workspace\.roots\.0: must be an absolute path/],
    [{ elevated: { allowed: "yes" } }, /elevated\.allowed/],
  ])("refuses %j naming the key", (file, message) => {
    expect(() => parseRunnerFile(file)).toThrow(message);
  });

  it("a runner started with a bad config file refuses to start and names the key", async () => {
    const path = join(state.path, "bad-runner.json");
    await writeFile(path, JSON.stringify({ sandbox: { pids: -5 } }));
    const cli = fileURLToPath(new URL("../../runner/cli/main.ts", import.meta.url));
    const result = spawnSync(process.execPath, ["--import", "tsx", cli, "runner"], {
      env: {
        PATH: process.env.PATH,
        DRAWBRIDGE_STATE_DIR: state.path,
        DRAWBRIDGE_GATEWAY_URL: "http://127.0.0.1:9",
        DRAWBRIDGE_RUNNER_CONFIG: path,
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/sandbox\.pids/);
  }, 40_000);
});
