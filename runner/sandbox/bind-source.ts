import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, sep } from "node:path";
import { SandboxError } from "./sandbox-runtime.js";

/** Host paths a sandbox never gets, whatever the config says: the system, secrets, the engine's socket. */
const FORBIDDEN = ["/etc", "/proc", "/sys", "/dev", "/root", "/run", "/var/run", "/boot", "/var/lib/docker"];
const DOCKER_SOCKETS = ["/var/run/docker.sock", "/run/docker.sock"];

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Resolves a bind source (symlinks included) and refuses it unless it is a directory inside one
 * of `roots` (themselves resolved), and neither `/`, a system directory, inside or a parent of one,
 * nor anything holding the Docker socket. Returns the resolved path, which is what gets mounted.
 * `privateRoot` is the runner's own directory of private workspaces: it may sit below a system
 * directory (a state dir in /root), since the runner made it and it holds nothing else.
 */
export async function checkBindSource(source: string, roots: string[], privateRoot?: string): Promise<string> {
  if (!isAbsolute(source)) throw new SandboxError(`bind source ${source} is not an absolute path`);
  let real: string;
  try {
    real = await realpath(source);
  } catch {
    throw new SandboxError(`bind source ${source} does not exist`);
  }
  if (real === "/") throw new SandboxError(`bind source ${source} resolves to /, which is never mounted`);
  const own = privateRoot !== undefined && (await resolvedAll([privateRoot])).some((root) => inside(real, root) && real !== root);
  const system = [...FORBIDDEN, ...(await resolvedAll(FORBIDDEN))];
  for (const denied of system) {
    if ((!own && inside(real, denied)) || inside(denied, real)) {
      throw new SandboxError(`bind source ${source} resolves to ${real}, which overlaps ${denied}; refusing`);
    }
  }
  for (const socket of [...DOCKER_SOCKETS, ...(await resolvedAll(DOCKER_SOCKETS))]) {
    if (inside(socket, real)) throw new SandboxError(`bind source ${source} contains the Docker socket; refusing`);
  }
  if (!(await stat(real)).isDirectory()) throw new SandboxError(`bind source ${source} is not a directory`);
  const resolvedRoots = await resolvedAll(roots);
  if (!resolvedRoots.some((root) => root !== "/" && inside(real, root))) {
    throw new SandboxError(`bind source ${source} (${real}) is outside the configured workspace roots`);
  }
  return real;
}

async function resolvedAll(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    try {
      out.push(await realpath(path));
    } catch {
      // A path that does not exist cannot be mounted through either.
    }
  }
  return out;
}
