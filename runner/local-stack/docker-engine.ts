import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";

export class DockerEngineError extends Error {
  override readonly name = "DockerEngineError";
}

const HOW_TO =
  "Install and start Docker, then run this again. On Debian/Ubuntu: `sudo apt-get install -y docker.io busybox-static && sudo systemctl start docker` (and add yourself to the `docker` group).";

/** How long a freshly started engine gets to answer its first ping. */
const ENGINE_START_SECONDS = 30;

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

function lastLines(path: string, count: number): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-count).join("\n");
  } catch {
    return "";
  }
}

/** Runs a command with its output appended to `logPath` (not the terminal); resolves with its exit code. */
async function runLogged(command: string, args: string[], logPath: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  const out = openSync(logPath, "a");
  try {
    return await new Promise<number | null>((resolve) => {
      const child = spawn(command, args, { stdio: ["ignore", out, out], env });
      child.once("error", () => resolve(null));
      child.once("exit", (code) => resolve(code));
    });
  } finally {
    closeSync(out);
  }
}

async function installPackages(packages: string[], stateDir: string, say: (line: string) => void): Promise<void> {
  const logPath = join(stateDir, "apt-get.log");
  const started = Date.now();
  say(`Installing ${packages.join(" and ")} with apt-get (log: ${logPath})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const updated = await runLogged("apt-get", ["update", "-qq"], logPath, env);
  const installed = updated === 0 ? await runLogged("apt-get", ["install", "-y", "-qq", ...packages], logPath, env) : null;
  if (installed !== 0) {
    const tail = lastLines(logPath, 5);
    throw new DockerEngineError(`apt-get could not install ${packages.join(" ")} (log: ${logPath})${tail ? `:\n${tail}` : ""}\n${HOW_TO}`);
  }
  say(`Installed ${packages.join(" and ")} — ${Math.round((Date.now() - started) / 1000)} s.`);
}

/**
 * Starts the engine in the background (its output in the state dir) and waits for its first ping.
 * `DRAWBRIDGE_DOCKERD` names the command (default `dockerd`); it is what a test points at a
 * launcher it controls, and what a box with its engine elsewhere can point at its own script.
 */
async function startEngine(docker: Docker, stateDir: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<void> {
  const command = env.DRAWBRIDGE_DOCKERD ?? "dockerd";
  const logPath = join(stateDir, "dockerd.log");
  say(`Starting the Docker engine (${command}) in the background (log: ${logPath})…`);
  const out = openSync(logPath, "a");
  let ended: string | null = null;
  const engine = spawn(command, [], { detached: true, stdio: ["ignore", out, out], env });
  engine.once("error", (error) => (ended = error.message));
  engine.once("exit", (code, signal) => (ended = `it exited (${signal ?? `code ${code}`})`));
  engine.unref();
  closeSync(out);
  for (let i = 0; i < ENGINE_START_SECONDS * 4 && ended === null; i++) {
    if (await reachable(docker)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (await reachable(docker)) return;
  const tail = lastLines(logPath, 5);
  const why = ended ?? `it did not answer within ${ENGINE_START_SECONDS} s`;
  throw new DockerEngineError(`the Docker engine did not start: ${why} (log: ${logPath})${tail ? `:\n${tail}` : ""}`);
}

/**
 * Makes sure a Docker engine answers. As root on Debian it installs `docker.io` (and a static
 * busybox for the sandbox image) and starts the engine, saying so; anywhere else it explains what to do.
 * The state dir is created first (mode 0700): the install and engine logs live there, and a fresh
 * machine has none yet.
 */
export async function ensureDockerEngine(
  stateDir: string,
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Docker> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // dockerode reads DOCKER_HOST itself; the same variable reaches the runner and the engine launcher.
  const docker = new Docker();
  say("Checking Docker…");
  const needBusybox = !existsSync("/bin/busybox") && !existsSync("/usr/bin/busybox");
  if ((await reachable(docker)) && !needBusybox) return docker;
  if (!canProvision()) {
    if (await reachable(docker))
      throw new DockerEngineError("no static busybox for the sandbox image. Debian/Ubuntu: `sudo apt-get install -y busybox-static`");
    throw new DockerEngineError(`the Docker engine is not reachable. ${HOW_TO}`);
  }
  const packages = [existsSync("/usr/sbin/dockerd") ? "" : "docker.io", needBusybox ? "busybox-static" : ""].filter(Boolean);
  if (packages.length > 0) await installPackages(packages, stateDir, say);
  if (!(await reachable(docker))) await startEngine(docker, stateDir, env, say);
  return docker;
}
