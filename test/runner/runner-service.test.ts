import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runnerUnit, ServiceUnitError } from "../../runner/service/systemd-unit.js";

const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
const GATEWAY = "https://gw.example.workers.dev";
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "drawbridge-service-"));
});
afterAll(() => rm(home, { recursive: true, force: true }));

function drawbridge(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cliEntry, ...args],
      { env: { PATH: process.env.PATH ?? "", DRAWBRIDGE_STATE_DIR: join(home, "state"), GATEWAY_TOKEN: "secret-token-5e1f", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `[Section]` → key → every value given (systemd keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) sections.set(header[1]!, (current = new Map<string, string[]>()));
    else {
      const at = line.indexOf("=");
      expect(at, `a key=value line: ${line}`).toBeGreaterThan(0);
      const key = line.slice(0, at);
      current!.set(key, [...(current!.get(key) ?? []), line.slice(at + 1)]);
    }
  }
  return sections;
}

function verify(unitText: string, dir: string): Promise<void> {
  return (async () => {
    if (spawnSync("systemd-analyze", ["--version"]).status !== 0) return; // not on this host; parsing above still ran
    const path = join(dir, "drawbridge-runner.service");
    await writeFile(path, unitText);
    const result = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  })();
}

describe("drawbridge runner service install", () => {
  it("--print: a system unit with the hardening, the state dir the only writable path, the docker group the only extra access", async () => {
    const result = await drawbridge(
      { DRAWBRIDGE_GATEWAY_URL: GATEWAY, DRAWBRIDGE_RUNNER_NAME: "attic" },
      "runner",
      "service",
      "install",
      "--print",
      "--as",
      "drawbridge",
    );
    expect(result.code).toBe(0);
    const service = parseUnit(result.stdout).get("Service")!;
    const one = (key: string) => service.get(key);
    expect(one("NoNewPrivileges")).toEqual(["yes"]);
    expect(one("ProtectSystem")).toEqual(["strict"]);
    expect(one("PrivateTmp")).toEqual(["yes"]);
    expect(one("Restart")).toEqual(["on-failure"]);
    expect(one("ReadWritePaths")).toEqual([`"${join(home, "state")}"`]);
    expect(one("User")).toEqual(["drawbridge"]);
    expect(one("SupplementaryGroups")).toEqual(["docker"]);
    expect(one("CapabilityBoundingSet")).toEqual([""]);
    for (const widening of ["Group", "ReadOnlyPaths", "BindPaths", "AmbientCapabilities"]) {
      expect(one(widening) ?? [""]).toEqual([""]);
    }
    expect(one("ExecStart")?.[0]).toMatch(/runner\/bin\/drawbridge\.js" runner$/);
    expect(one("Environment")).toEqual(
      expect.arrayContaining([
        `"DRAWBRIDGE_GATEWAY_URL=${GATEWAY}"`,
        `"DRAWBRIDGE_RUNNER_NAME=attic"`,
        `"DRAWBRIDGE_STATE_DIR=${join(home, "state")}"`,
      ]),
    );
    // The runner authenticates with its key; the admin token has no business in a unit file.
    expect(result.stdout).not.toContain("secret-token-5e1f");
    expect(parseUnit(result.stdout).get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
    await verify(result.stdout, home);
  }, 30_000);

  it("--user writes a user unit (no User=, no groups it could not get) and says how to enable it", async () => {
    const config = join(home, "config");
    const result = await drawbridge({ DRAWBRIDGE_GATEWAY_URL: GATEWAY, XDG_CONFIG_HOME: config }, "runner", "service", "install", "--user");
    expect(result.code).toBe(0);
    const path = join(config, "systemd", "user", "drawbridge-runner.service");
    expect(result.stdout).toContain(`Wrote ${path}`);
    expect(result.stdout).toContain("systemctl --user enable --now drawbridge-runner.service");
    expect(result.stdout).toContain("loginctl enable-linger");
    const unit = parseUnit(await readFile(path, "utf8"));
    expect(unit.get("Service")?.has("User")).toBe(false);
    expect(unit.get("Service")?.has("SupplementaryGroups")).toBe(false);
    expect(unit.get("Service")?.get("ProtectSystem")).toEqual(["strict"]);
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["default.target"]);
    await verify(await readFile(path, "utf8"), home);
  }, 30_000);

  it("without a gateway URL it is a usage error (exit 2) naming --gateway-url", async () => {
    const result = await drawbridge({}, "runner", "service", "install", "--print");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--gateway-url");
  }, 30_000);

  it("a value cannot smuggle in a line, and % or $ are not expanded by systemd", () => {
    const base = {
      user: false,
      account: "me",
      node: "/usr/bin/node",
      entry: "/opt/db/runner/bin/drawbridge.js",
      workingDirectory: "/opt/db",
      gatewayUrl: GATEWAY,
      runnerName: "home",
    };
    expect(() => runnerUnit({ ...base, stateDir: "/var/lib/db\nExecStartPre=/bin/sh -c evil" })).toThrow(ServiceUnitError);
    expect(() => runnerUnit({ ...base, stateDir: "/s", account: "root\nUser=0" })).toThrow(ServiceUnitError);
    const unit = runnerUnit({ ...base, stateDir: "/var/lib/100%$HOME" });
    expect(unit).toContain(`ReadWritePaths="/var/lib/100%%$$HOME"`);
  });
});
