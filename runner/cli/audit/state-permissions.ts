import { constants } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { AuditFinding } from "../../../shared/audit-report.js";
import type { AuditSources } from "./audit-sources.js";

/** One path that should be the owner's alone, and what it holds (for the finding's words). */
type Guarded = { path: string; what: string; kind: "dir" | "file" };
/** A guarded path whose mode lets someone else in. */
export type LoosePath = Guarded & { mode: number };

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, "0")}`;

/**
 * The state dir (0700) and every file in it that holds a key, a secret or a record of what ran
 * (0600): the runner key, the local secrets and env file, the pinned gateway key, runner.json, the
 * call journals and the runner's audit log (where runner.json moves it, there).
 */
export async function guardedPaths(sources: AuditSources): Promise<Guarded[]> {
  const { stateDir, env } = sources;
  const paths: Guarded[] = [
    { path: stateDir, what: "the state dir", kind: "dir" },
    { path: env.DRAWBRIDGE_RUNNER_KEY ?? join(stateDir, "runner-key.json"), what: "the runner's private key", kind: "file" },
    { path: join(stateDir, "local-secrets.json"), what: "the local secrets", kind: "file" },
    { path: join(stateDir, "dev.vars"), what: "the env file npm start writes", kind: "file" },
    { path: join(stateDir, "gateway-key.json"), what: "the pinned gateway key", kind: "file" },
    { path: env.DRAWBRIDGE_RUNNER_CONFIG ?? join(stateDir, "runner.json"), what: "the runner's policy floor", kind: "file" },
    { path: auditLogPath(sources), what: "the runner's audit log", kind: "file" },
  ];
  const names = await readdir(stateDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^journal-.+\.jsonl$/.test(n)).sort()) {
    paths.push({ path: join(stateDir, name), what: "a call journal", kind: "file" });
  }
  return paths;
}

function auditLogPath(sources: AuditSources): string {
  const runnerFile = sources.scanned.find(
    (file) => file.path === (sources.env.DRAWBRIDGE_RUNNER_CONFIG ?? join(sources.stateDir, "runner.json")),
  );
  try {
    const parsed: unknown = runnerFile ? JSON.parse(runnerFile.text) : null;
    const audit = typeof parsed === "object" && parsed !== null && "audit" in parsed ? parsed.audit : null;
    if (typeof audit === "object" && audit !== null && "path" in audit && typeof audit.path === "string") return audit.path;
  } catch {
    // A broken runner.json is the runner's to refuse; the default place is still checked.
  }
  return join(sources.stateDir, "audit.jsonl");
}

/** The guarded paths that exist with any group or other permission bit set (symlinks are not followed). */
export async function loosePaths(sources: AuditSources): Promise<LoosePath[]> {
  const loose: LoosePath[] = [];
  for (const guarded of await guardedPaths(sources)) {
    const stat = await lstat(guarded.path).catch(() => null);
    if (!stat || stat.isSymbolicLink()) continue;
    if ((stat.mode & 0o077) !== 0) loose.push({ ...guarded, mode: stat.mode & 0o777 });
  }
  return loose;
}

export async function checkStatePermissions(sources: AuditSources): Promise<AuditFinding[]> {
  const loose = await loosePaths(sources);
  if (loose.length === 0) return [];
  // Readable or writable by anyone on the box, or writable by the group: someone else can take the key or rewrite the floor.
  const critical = loose.some(({ mode }) => (mode & 0o007) !== 0 || (mode & 0o020) !== 0);
  return [
    {
      id: "state.permissions",
      severity: critical ? "critical" : "warn",
      title: "State files are open to other users",
      detail: loose
        .map(({ path, what, mode, kind }) => `${path} (${what}) is ${octal(mode)}, should be ${kind === "dir" ? "0700" : "0600"}`)
        .join("; "),
      fix: `chmod 700 ${sources.stateDir} and chmod 600 the files named (or run \`drawbridge audit --fix\`)`,
    },
  ];
}

/**
 * `--fix`: takes the group and other bits off each loose path (0644 → 0600, 0755 → 0700). Only
 * ever removes permissions: a 0400 key stays 0400. Returns one line per change.
 */
export async function fixStatePermissions(sources: AuditSources): Promise<string[]> {
  const changed: string[] = [];
  for (const { path, mode } of await loosePaths(sources)) {
    const tightened = mode & 0o700;
    // Opened without following a link, so a path swapped for a symlink meanwhile changes nothing elsewhere.
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      await handle.chmod(tightened);
    } finally {
      await handle.close();
    }
    changed.push(`chmod ${octal(tightened)} ${path} (was ${octal(mode)})`);
  }
  return changed;
}
