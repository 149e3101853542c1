import { spawn, spawnSync } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";

export class DockerEngineError extends Error {
  override readonly name = "DockerEngineError";
}

const HOW_TO =
  "Install and start Docker, then run this again. On Debian/Ubuntu: `sudo apt-get install -y docker.io busybox-static && sudo systemctl start docker` (and add yourself to the `docker` group).";

async function reachable(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

function canProvision(): boolean {
  return process.getuid?.() === 0 && existsSync("/etc/debian_version") && existsSync("/usr/bin/apt-get");
}

/**
 * Makes sure a Docker engine answers. As root on Debian it installs `docker.io` (and a static
 * busybox for the sandbox image) and starts `dockerd`, saying so; anywhere else it explains what to do.
 */
export async function ensureDockerEngine(stateDir: string, say: (line: string) => void): Promise<Docker> {
  const docker = new Docker();
  const needBusybox = !existsSync("/bin/busybox") && !existsSync("/usr/bin/busybox");
  if ((await reachable(docker)) && !needBusybox) return docker;
  if (!canProvision()) {
    if (await reachable(docker))
      throw new DockerEngineError("no static busybox for the sandbox image. Debian/Ubuntu: `sudo apt-get install -y busybox-static`");
    throw new DockerEngineError(`the Docker engine is not reachable. ${HOW_TO}`);
  }
  const packages = [existsSync("/usr/sbin/dockerd") ? "" : "docker.io", needBusybox ? "busybox-static" : ""].filter(Boolean);
  if (packages.length > 0) {
    say(`Installing ${packages.join(" and ")} with apt-get (running as root on Debian)…`);
    const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    const install = spawnSync("apt-get", ["install", "-y", "-qq", ...packages], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (update.status !== 0 || install.status !== 0)
      throw new DockerEngineError(`apt-get could not install ${packages.join(" ")}. ${HOW_TO}`);
  }
  if (!(await reachable(docker))) {
    const logPath = join(stateDir, "dockerd.log");
    say(`Starting dockerd in the background (log: ${logPath})…`);
    const out = openSync(logPath, "a");
    spawn("dockerd", [], { detached: true, stdio: ["ignore", out, out] }).unref();
    for (let i = 0; i < 60 && !(await reachable(docker)); i++) await new Promise((r) => setTimeout(r, 500));
    if (!(await reachable(docker))) throw new DockerEngineError(`dockerd did not come up within 30s; see ${logPath}`);
  }
  return docker;
}
