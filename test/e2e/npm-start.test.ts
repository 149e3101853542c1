import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../../runner/cli/admin-client.js";
import { containersOf } from "../support/docker-probe.js";
import { freePort } from "../support/free-port.js";
import { ModelStandIn } from "../support/model-standin.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const runnerName = `start-${process.pid}`;
const launcher = join(projectRoot, "test", "support", "engine-launcher.mjs");
let scratch = "";
let stateDir = "";
let engineSocket = "";
let launcherPidFile = "";
let child: ChildProcess;
let readyLine = "";
let port = 0;
/** Everything npm start printed (stdout and stderr in the one stream a terminal shows), and the part up to READY. */
const output: string[] = [];
let startup: string[] = [];
// A model server on loopback (DRAWBRIDGE_HOME_MODEL_URL), as Ollama would be: with no model configured, npm start uses it.
const homeModel = new ModelStandIn();
let homeModelBase = "";

// `npm start` exactly as a user runs it on a fresh machine: no state dir yet, and no Docker engine
// answering where the stack looks for one (DOCKER_HOST names a socket nothing listens on), so it
// must start the engine itself. The engine command is a launcher this test controls, standing in
// for `dockerd`: it comes up after a delay and relays to the machine's real engine.
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "drawbridge-fresh-"));
  stateDir = join(scratch, "project", ".drawbridge");
  engineSocket = join(scratch, "engine.sock");
  launcherPidFile = join(scratch, "engine.pid");
  port = await freePort();
  homeModelBase = `${await homeModel.start()}/v1`;
  const userEnv = { ...process.env };
  for (const name of ["DRAWBRIDGE_MODEL", "DRAWBRIDGE_MODEL_BASE_URL", "DRAWBRIDGE_MODEL_API_KEY"]) delete userEnv[name];
  // Vitest's NODE_ENV=test is not in a user's shell (and would quietly turn off Miniflare's Request.cf fetch).
  delete userEnv.NODE_ENV;
  // 2>&1: one pipe for both streams, so the lines arrive in the order a terminal shows them.
  child = spawn("sh", ["-c", "exec npm start 2>&1"], {
    cwd: projectRoot,
    env: {
      ...userEnv,
      DRAWBRIDGE_HOME_MODEL_URL: homeModelBase,
      PORT: String(port),
      DRAWBRIDGE_STATE_DIR: stateDir,
      DRAWBRIDGE_RUNNER_NAME: runnerName,
      TELEGRAM_API_ROOT: "http://127.0.0.1:9",
      DOCKER_HOST: `unix://${engineSocket}`,
      DRAWBRIDGE_DOCKERD: launcher,
      ENGINE_LAUNCHER_PIDFILE: launcherPidFile,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so the test can press "Ctrl-C" on all of it
  });
  createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
  readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY within 120s:\n${output.join("\n")}`)), 120_000);
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output.join("\n")}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      if (line.startsWith("READY") && startup.length === 0) {
        startup = [...output];
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}, 150_000);

afterAll(async () => {
  if (child.pid && processGroupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
  const enginePid = Number(await readFile(launcherPidFile, "utf8").catch(() => "0"));
  if (enginePid > 0) process.kill(enginePid, "SIGTERM");
  await homeModel.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe("npm start on a fresh machine", () => {
  it("creates the state dir (0700), starts the Docker engine with its log there, and says so", async () => {
    expect(((await stat(stateDir)).mode & 0o777).toString(8)).toBe("700");
    const engineLog = await readFile(join(stateDir, "dockerd.log"), "utf8");
    expect(engineLog).toContain("engine-launcher: starting");
    expect(engineLog).toContain(`API listening on ${engineSocket}`);
    expect(existsSync(engineSocket)).toBe(true);
    expect(output).toContain("Checking Docker…");
    expect(output.some((line) => line.startsWith("Starting the Docker engine") && line.includes(join(stateDir, "dockerd.log")))).toBe(true);
    expect(output.join("\n")).not.toMatch(/ENOENT|drawbridge: /);
  });

  it("prints one line per step up to READY: no apt-get output, no stack traces, no WARNING blocks", async () => {
    // npm's own header ("> drawbridge@… start", "> tsx …") and blank lines aside, every line is a step, in order.
    const lines = startup.filter((line) => line.trim() !== "" && !line.startsWith("> "));
    const steps = [
      /^Checking Docker…$/,
      /^Starting the Docker engine \(.+\) in the background \(log: .+dockerd\.log\)…$/,
      /^(Sandbox image \S+: ready\.|Building the sandbox image from a static busybox \(no registry needed\)…)$/,
      /^Model: home:standin-model, found at /,
      /^Creating the runner key .+runner-key\.json \(mode 0600\)\.$/,
      /^Starting the gateway \(wrangler dev\) on 127\.0\.0\.1:\d+…$/,
      new RegExp(`^Registering the runner ${runnerName}…$`),
      new RegExp(`^Runner ${runnerName} connected \\(its log: .+runner\\.log; the gateway's: .+gateway\\.log\\)\\.$`),
      new RegExp(`^Owner \\S+ · DMs: pairing · model: home:standin-model · runner: ${runnerName}$`),
      /^READY http:\/\/127\.0\.0\.1:\d+ /,
    ];
    expect(lines.map((line, i) => (steps[i]?.test(line) ? "step" : line))).toEqual(steps.map(() => "step"));
    const text = startup.join("\n");
    expect(text).not.toMatch(/^(Get|Hit|Ign):\d|Reading package lists|Setting up |Unpacking |Selecting previously/m);
    expect(text).not.toMatch(/^\s+at /m);
    expect(text).not.toMatch(/WARNING|▲|Request\.cf/);
    expect(startup.at(-1)).toBe(readyLine);
    // The children's whole output is kept where the connected line says, for when something goes wrong.
    expect(await readFile(join(stateDir, "runner.log"), "utf8")).toContain('"event":"tunnel.ready"');
    expect(existsSync(join(stateDir, "gateway.log"))).toBe(true);
  });

  it("prints READY naming the URL, and /healthz answers", async () => {
    expect(readyLine).toContain(`http://127.0.0.1:${port}`);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it("keeps generated secrets and the runner key private (mode 0600)", async () => {
    for (const file of ["local-secrets.json", "dev.vars", "runner-key.json"]) {
      expect(((await stat(join(stateDir, file))).mode & 0o777).toString(8)).toBe("600");
    }
  });

  it("answers /run echo hi on the console channel with hi", async () => {
    const { GATEWAY_TOKEN } = JSON.parse(await readFile(join(stateDir, "local-secrets.json"), "utf8")) as { GATEWAY_TOKEN: string };
    const { reply } = await new AdminClient(`http://127.0.0.1:${port}`, GATEWAY_TOKEN).sendMessage("/run echo hi");
    expect(reply).toBe("hi");
  });

  it("names the model it found on loopback, and a plain message is answered by it through the runner", async () => {
    expect(output.filter((line) => line.startsWith("Model: "))).toEqual([
      `Model: home:standin-model, found at ${homeModelBase} and reached through the runner (DRAWBRIDGE_MODEL picks another).`,
    ]);
    homeModel.script("standin-model", { kind: "text", text: "Hello from the model at home." });
    const { GATEWAY_TOKEN } = JSON.parse(await readFile(join(stateDir, "local-secrets.json"), "utf8")) as { GATEWAY_TOKEN: string };
    const { reply } = await new AdminClient(`http://127.0.0.1:${port}`, GATEWAY_TOKEN).sendMessage("hello, who are you?");
    expect(reply).toBe("Hello from the model at home.");
    expect(homeModel.requests("standin-model").map((request) => request.path)).toEqual(["/v1/chat/completions"]);
  });

  it("stops everything it started on Ctrl-C, removing its containers", async () => {
    expect((await containersOf(runnerName)).length).toBe(1);
    process.kill(-child.pid!, "SIGINT");
    // npm itself exits at once; wait for every process of the group (gateway, runner) to finish.
    for (let i = 0; i < 200 && processGroupAlive(child.pid!); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processGroupAlive(child.pid!)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(await containersOf(runnerName)).toEqual([]);
  }, 30_000);
});

function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
