import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatusList } from "../../shared/admin-api.js";
import { CONFIG_VAR_NAMES } from "../../shared/config/config-vars.js";
import { freePort } from "../support/free-port.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const cli = join(projectRoot, "runner", "cli", "main.ts");
const tsx = join(projectRoot, "node_modules", "tsx", "dist", "cli.mjs");
const runnerName = `cfg-${process.pid}`;

// The file a user would write: comments, a trailing comma, and settings from every part of the schema.
const CONFIG = `// the test's drawbridge.config.json
{
  "$schema": "./drawbridge.config.schema.json",
  "owners": ["telegram:4242"],
  "access": {
    "dmPolicy": "allowlist", // no pairing
    "allowFrom": ["777"],
    "rateLimits": { "owner": { "tool": { "perMinute": 90, "burst": 30 } } },
  },
  /* no key here: it is the secret DRAWBRIDGE_MODEL_API_KEY */
  "model": { "id": "openai:file-model", "baseUrl": "http://127.0.0.1:9/v1" },
  "hooks": { "deploys": { "verify": "github", "action": "notify" } },
  "defaultRunner": "${runnerName}",
  "telegram": { "apiRoot": "http://127.0.0.1:1" },
}
`;

let scratch = "";

/** The user's environment without anything that would decide what this test checks. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [...CONFIG_VAR_NAMES, "DRAWBRIDGE_MODEL_API_KEY", "DRAWBRIDGE_RUNNER_NAME", "NODE_ENV"]) delete env[name];
  return { ...env, ...extra };
}

/** `drawbridge deploy --print`'s `--var 'KEY:VALUE'` lines, as the vars wrangler would be given. */
function printedVars(printed: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const match of printed.matchAll(/--var ('(?:[^']|'\\'')*'|\S+)/g)) {
    const word = match[1] ?? "";
    const literal = word.startsWith("'") ? word.slice(1, -1).replaceAll("'\\''", "'") : word;
    const colon = literal.indexOf(":");
    vars[literal.slice(0, colon)] = literal.slice(colon + 1);
  }
  return vars;
}

/** wrangler dev's env file as npm start wrote it (dotenv, single-quoted values). */
function envFileVars(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^(\w+)='(.*)'$/gm)].map((match) => [match[1] ?? "", match[2] ?? ""]));
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "drawbridge-config-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("npm start with a bad config file", () => {
  it("exits 2 naming the file and key path, before it checks Docker or creates anything", async () => {
    const configPath = join(scratch, "bad.json");
    await writeFile(
      configPath,
      '{\n  // typo\n  "access": { "dmPolicy": "everyone" },\n  "model": { "id": "openai:x", "apiKey": "sk-live-do-not-print" },\n}\n',
    );
    const stateDir = join(scratch, "bad-state");
    const run = spawn(process.execPath, [tsx, cli, "start"], {
      cwd: scratch,
      env: cleanEnv({
        DRAWBRIDGE_CONFIG: configPath,
        DRAWBRIDGE_STATE_DIR: stateDir,
        // Were anything started, it would be this engine command: it must never run.
        DOCKER_HOST: `unix://${join(scratch, "no-engine.sock")}`,
        DRAWBRIDGE_DOCKERD: join(scratch, "never-run-dockerd"),
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    createInterface({ input: run.stdout }).on("line", (line) => lines.push(line));
    createInterface({ input: run.stderr }).on("line", (line) => lines.push(line));
    const code = await new Promise<number | null>((resolve) => run.once("exit", resolve));
    expect(code).toBe(2);
    expect(lines).toContain(
      'bad.json: access.dmPolicy is invalid: Invalid option: expected one of "pairing"|"allowlist"|"open"|"disabled"',
    );
    expect(lines.some((line) => line.startsWith("bad.json: model.apiKey is refused:") && line.includes("DRAWBRIDGE_MODEL_API_KEY"))).toBe(
      true,
    );
    const text = lines.join("\n");
    expect(text).not.toContain("sk-live");
    expect(text).not.toMatch(/Checking Docker|Starting|^\s+at /m);
    expect(existsSync(stateDir)).toBe(false);
  }, 60_000);
});

describe("one file drives npm start and drawbridge deploy", () => {
  let child: ChildProcess | undefined;
  const output: string[] = [];
  let stateDir = "";
  let port = 0;
  let configPath = "";
  // An environment variable wins over the file, on both paths.
  const override = { TELEGRAM_API_ROOT: "http://127.0.0.1:9" };

  beforeAll(async () => {
    configPath = join(scratch, "drawbridge.config.json");
    await writeFile(configPath, CONFIG);
    stateDir = join(scratch, "state");
    port = await freePort();
    child = spawn(process.execPath, [tsx, cli, "start"], {
      cwd: projectRoot,
      env: cleanEnv({ ...override, DRAWBRIDGE_CONFIG: configPath, DRAWBRIDGE_STATE_DIR: stateDir, PORT: String(port) }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no READY within 150s:\n${output.join("\n")}`)), 150_000);
      child!.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output.join("\n")}`)));
      createInterface({ input: child!.stdout! }).on("line", (line) => {
        output.push(line);
        if (line.startsWith("READY")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }, 180_000);

  afterAll(async () => {
    if (child?.pid) {
      process.kill(-child.pid, "SIGINT");
      await new Promise((resolve) => child!.once("exit", resolve));
    }
  }, 30_000);

  it("npm start names the file and serves the file's owner, access, model and runner", async () => {
    expect(output).toContain(`Config: ${configPath} (environment variables override it).`);
    expect(output).toContain(`Owner telegram:4242 · DMs: allowlist · model: openai:file-model · runner: ${runnerName}`);
    const { GATEWAY_TOKEN } = JSON.parse(await readFile(join(stateDir, "local-secrets.json"), "utf8")) as { GATEWAY_TOKEN: string };
    const response = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { authorization: `Bearer ${GATEWAY_TOKEN}` } });
    const status = StatusList.parse(await response.json());
    expect(status.model).toBe("openai:file-model");
    expect(status.access?.config).toMatchObject({
      dmPolicy: "allowlist",
      allowFrom: ["777"],
      rateLimits: { owner: { tool: { perMinute: 90, burst: 30 } } },
    });
    expect(status.runners.map((runner) => runner.runner)).toContain(runnerName);
  });

  it("the vars npm start gave wrangler dev are the vars drawbridge deploy --print gives wrangler deploy", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, cli, "deploy", "--print"], {
      cwd: projectRoot,
      env: cleanEnv({ ...override, DRAWBRIDGE_CONFIG: configPath }),
    });
    expect(stdout.startsWith("npx wrangler deploy")).toBe(true);
    const deployed = printedVars(stdout);
    const local = envFileVars(await readFile(join(stateDir, "dev.vars"), "utf8"));
    const localConfigured = Object.fromEntries(CONFIG_VAR_NAMES.filter((name) => name in local).map((name) => [name, local[name]]));
    expect(deployed).toEqual(localConfigured);
    expect(deployed).toMatchObject({
      DRAWBRIDGE_OWNER: "telegram:4242",
      DRAWBRIDGE_MODEL: "openai:file-model",
      DEFAULT_RUNNER: runnerName,
      TELEGRAM_API_ROOT: "http://127.0.0.1:9",
    });
    expect(JSON.parse(deployed.DRAWBRIDGE_HOOKS ?? "")).toEqual({ deploys: { verify: "github", action: "notify" } });
    // Secrets never travel as vars.
    expect(stdout).not.toMatch(/GATEWAY_TOKEN|TELEGRAM_BOT_TOKEN|SIGNING_KEY|API_KEY:/);
  }, 60_000);
});
