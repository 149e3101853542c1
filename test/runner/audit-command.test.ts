import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuditReport } from "../../shared/audit-report.js";
import { runAudit } from "../../runner/cli/audit/run-audit.js";
import { access, dirs, drawbridge, find, ids, useAuditDirs } from "./support/audit-fixture.js";

// drawbridge audit: the command itself: --json, exit codes, --fix.
useAuditDirs();

describe("the command: --json, exit codes, --fix", () => {
  it("exit 1 with a critical finding, --json parses as AuditReport, critical first, and the token never appears", async () => {
    const token = "changeme-please";
    const result = await drawbridge({ GATEWAY_TOKEN: token, ...access({ dmPolicy: "open", allowFrom: ["*"] }) }, "--json");
    expect(result.code).toBe(1);
    const report = AuditReport.parse(JSON.parse(result.stdout));
    expect(ids(report.findings)).toEqual(["gateway.token_weak", "access.open_dms"]);
    expect(report.summary).toEqual({ critical: 1, warn: 1, info: 0 });
    expect(result.stdout + result.stderr).not.toContain(token);
  }, 30_000);

  it("exit 0 with warnings only; human output groups by severity with a summary line", async () => {
    const result = await drawbridge(access({ dmPolicy: "open", allowFrom: ["*"] }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("WARN (1)\n  [access.open_dms] Anyone can DM the bot");
    expect(result.stdout).toContain("audit: 0 critical · 1 warn · 0 info");
  }, 30_000);

  it("--fix lists what it changed and exits 0 once nothing critical is left; the next run says nothing found", async () => {
    await chmod(join(dirs.state, "runner-key.json"), 0o644);
    const fixed = await drawbridge({}, "--fix");
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(`fixed: chmod 0600 ${join(dirs.state, "runner-key.json")} (was 0644)`);
    const again = await drawbridge({});
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe("audit: nothing found");
  }, 30_000);

  it("--fix cannot tighten an open groups.policy without a config file, and says so", async () => {
    const result = await drawbridge(access({ groups: { policy: "open" } }), "--fix");
    expect(result.stdout).toContain("not fixed: cannot tighten groups.policy: there is no config file");
  }, 30_000);

  it("--fix sets an open access.groups.policy in the config file to allowlist, keeping its comments", async () => {
    const path = join(dirs.root, "drawbridge.config.json");
    const text = '{\n  // who may talk\n  "access": { "dmPolicy": "pairing", "groups": { "policy": "open", "allowFrom": ["*"] } },\n}\n';
    await writeFile(path, text, { mode: 0o600 });
    const env = { DRAWBRIDGE_STATE_DIR: dirs.state, DRAWBRIDGE_CONFIG: path };
    const before = await runAudit({ fix: false, deep: false, env, cwd: dirs.root });
    expect(find(before.report.findings, "access.open_groups")?.detail).toContain(`DRAWBRIDGE_ACCESS from ${path}`);
    const run = await runAudit({ fix: true, deep: false, env, cwd: dirs.root });
    expect(run.fixed).toEqual([`${path}: access.groups.policy "open" → "allowlist"`]);
    expect(ids(run.report.findings)).not.toContain("access.open_groups");
    expect(await readFile(path, "utf8")).toBe(text.replace('"policy": "open"', '"policy": "allowlist"'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("a config file the loader refuses is config.invalid, and the env file is read instead", async () => {
    const path = join(dirs.root, "drawbridge.config.json");
    await writeFile(path, JSON.stringify({ access: { dmPolicy: "wide-open" } }));
    const { report } = await runAudit({
      fix: false,
      deep: false,
      env: { DRAWBRIDGE_STATE_DIR: dirs.state, DRAWBRIDGE_CONFIG: path },
      cwd: dirs.root,
    });
    expect(find(report.findings, "config.invalid")?.detail).toContain("access.dmPolicy");
  });

  it("--deep without DRAWBRIDGE_GATEWAY_URL and GATEWAY_TOKEN says so and exits 2", async () => {
    const result = await drawbridge({}, "--deep");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--deep audits a running gateway and needs DRAWBRIDGE_GATEWAY_URL and GATEWAY_TOKEN");
  }, 30_000);
});
