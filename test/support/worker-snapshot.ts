import { cp, mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";

const projectRoot = join(import.meta.dirname, "..", "..");
const SOURCE_DIRS = ["worker", "shared"];
const SOURCE_FILES = ["wrangler.toml", "package.json", "tsconfig.base.json", "tsconfig.worker.json", "worker-configuration.d.ts"];

/**
 * A private copy of the Worker's sources for one stack's `wrangler dev`. wrangler dev watches
 * the files it bundles and reloads the Worker whenever one changes; pointed at the shared working
 * tree, every save by anyone (and every half-finished edit that does not build) restarted the
 * Worker mid-test or parked requests until the next good build. The copy never changes, so a
 * stack runs one version of the code from start to stop (restarts included).
 */
export async function snapshotWorkerSource(into: string): Promise<string> {
  const dir = join(into, "worker-src");
  await mkdir(dir, { recursive: true });
  for (const name of SOURCE_DIRS) await cp(join(projectRoot, name), join(dir, name), { recursive: true });
  for (const name of SOURCE_FILES) await cp(join(projectRoot, name), join(dir, name));
  await symlink(join(projectRoot, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}
