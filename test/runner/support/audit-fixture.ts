import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { AuditFinding } from "../../../shared/audit-report.js";
import { runAudit } from "../../../runner/cli/audit/run-audit.js";

const cliEntry = join(import.meta.dirname, "..", "..", "..", "runner", "cli", "main.ts");
/** What a generated token looks like: 32 random bytes, base64url (made here, never written into the tree). */
export const STRONG_TOKEN = randomBytes(32).toString("base64url");

/** The temp project root and state dir each audit test starts from (fresh per test). */
export const dirs = { root: "", state: "" };

/** A fresh state dir per test (0700, a strong token, a runner key), removed after it. */
export function useAuditDirs(): void {
  beforeEach(async () => {
    dirs.root = await mkdtemp(join(tmpdir(), "drawbridge-audit-"));
    dirs.state = join(dirs.root, "state");
    await mkdir(dirs.state, { mode: 0o700 });
    await chmod(dirs.state, 0o700);
    await writeSecret("local-secrets.json", JSON.stringify({ GATEWAY_TOKEN: STRONG_TOKEN }));
    await writeSecret("runner-key.json", "{}");
  });
  afterEach(() => rm(dirs.root, { recursive: true, force: true }));
}

export async function writeSecret(name: string, text: string, mode = 0o600): Promise<string> {
  const path = join(dirs.state, name);
  await writeFile(path, text, { mode });
  await chmod(path, mode);
  return path;
}

/** The audit of the temp state dir with these settings in the environment (nothing else from this machine). */
export async function audit(env: Record<string, string> = {}, options: { fix?: boolean } = {}) {
  return runAudit({ fix: options.fix ?? false, deep: false, env: { DRAWBRIDGE_STATE_DIR: dirs.state, ...env }, cwd: dirs.root });
}
export const ids = (findings: readonly AuditFinding[]) => findings.map((finding) => finding.id);
export const find = (findings: readonly AuditFinding[], id: string) => findings.find((finding) => finding.id === id);
export const access = (config: unknown) => ({ DRAWBRIDGE_ACCESS: JSON.stringify(config) });

/** `drawbridge audit <args>` as a user types it, in the project, against the temp state dir. */
export function drawbridge(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cliEntry, "audit", ...args],
      { env: { PATH: process.env.PATH ?? "", DRAWBRIDGE_STATE_DIR: dirs.state, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
