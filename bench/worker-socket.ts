import { readdir, readFile, readlink } from "node:fs/promises";

/**
 * The Worker's own socket under `wrangler dev`, behind wrangler's proxy: wrangler runs the proxy
 * Worker (on the port the stack was given) and the user Worker each in a workerd of its own, both
 * started by this process's children. Found from /proc: the loopback ports that workerd processes
 * descended from this one listen on, other than `frontPort`, the one that answers /healthz as the
 * gateway does. Hitting it skips the dev server's proxy, so what remains is the Worker and its
 * Durable Object storage (and Miniflare's entry worker in front of it, as in any local workerd).
 */
export async function workerSocketUrl(frontPort: number, healthz: string): Promise<string | undefined> {
  const children = await descendants(process.pid);
  const ports = new Set<number>();
  for (const pid of children) {
    const comm = await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "");
    if (comm.trim() !== "workerd") continue;
    for (const port of await listeningPorts(pid)) if (port !== frontPort) ports.add(port);
  }
  for (const port of ports) {
    const url = `http://127.0.0.1:${port}`;
    const body = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) })
      .then(async (response) => (response.ok ? await response.text() : ""))
      .catch(() => "");
    if (body === healthz) return url;
  }
  return undefined;
}

async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    // The field after the command name's closing parenthesis is the state, then the parent.
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number.isInteger(parent)) parents.set(Number(name), parent);
  }
  const found = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (found.has(parent) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return [...found];
}

/** TCP ports (IPv4) a process listens on: its socket descriptors matched against /proc/<pid>/net/tcp. */
async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const table = await readFile(`/proc/${pid}/net/tcp`, "utf8").catch(() => "");
  const ports: number[] = [];
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, state, inode] = [fields[1], fields[3], fields[9]];
    if (state === "0A" && inode && inodes.has(inode) && local) ports.push(parseInt(local.split(":")[1] ?? "", 16));
  }
  return ports;
}
