import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AllowList, ApprovalList, PairingList, StatusList, type ApprovalView } from "../../shared/admin-api.js";
import { StatusView } from "../../runner/cli/status-command.js";

const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
const TOKEN = "right-token-d2f9";

const approval: ApprovalView = {
  id: "a".repeat(24),
  session: "telegram:dm:1",
  state: "pending",
  tool: "exec",
  label: "/run rm -rf build",
  reason: "exec needs approval",
  sender: "1",
  senderName: "Owner",
  role: "owner",
  createdAt: "2026-12-01T10:00:00.000Z",
  expiresAt: "2026-12-01T10:10:00.000Z",
  decidedBy: null,
  decidedAt: null,
  note: null,
};

/** Answers the admin routes the CLI reads the way the gateway does: same shapes, same 401 body. */
const ANSWERS: Record<string, () => unknown> = {
  "/healthz": () => ({ ok: true, version: "0.1.0" }),
  // Seen just now at every request, so a slow run on a loaded machine still reads "N s ago".
  "/api/status": () => ({
    runners: [{ runner: "home", connected: true, since: Date.now() - 60_000, lastSeen: Date.now(), queueDepth: 2, inFlight: 1, keys: 1 }],
  }),
  "/api/pairing/telegram": () => ({
    pending: [{ code: "K7QW2MXP", senderId: "42", name: "Newcomer", ageSeconds: 30, expiresInSeconds: 3570 }],
  }),
  "/api/allow/telegram": () => ({ allowed: [{ senderId: "42", role: "trusted", name: "Newcomer", source: "pairing" }] }),
  "/api/approvals?state=pending": () => ({ approvals: [approval] }),
};

/** The last answer each route gave, so a test compares the CLI's output with exactly what it was sent. */
const lastServed = new Map<string, unknown>();
function served(path: string): unknown {
  const answer = ANSWERS[path]?.();
  lastServed.set(path, answer);
  return answer;
}

let server: Server;
let url: string;
let state: string;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), "drawbridge-cli-"));
  server = createServer((request, response) => {
    const path = request.url ?? "";
    const authorized = path === "/healthz" || request.headers.authorization === `Bearer ${TOKEN}`;
    const [status, body] = !authorized
      ? [401, { error: { code: "unauthorized", message: "missing or wrong bearer token" } }]
      : path in ANSWERS
        ? [200, served(path)]
        : [404, { error: { code: "not_found", message: "no such route" } }];
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(state, { recursive: true, force: true });
});

/** `drawbridge <args>` as a user types it; never throws, so the exit code can be read. */
function drawbridge(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cliEntry, ...args],
      { env: { PATH: process.env.PATH ?? "", DRAWBRIDGE_STATE_DIR: state, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const asOwner = (...args: string[]) => drawbridge({ DRAWBRIDGE_GATEWAY_URL: url, GATEWAY_TOKEN: TOKEN }, ...args);

/** A port nobody listens on: bound once, then released. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("drawbridge CLI failures say what to do", () => {
  it("gateway down: names the URL it tried, how to start one or point at one, exit 3", async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    for (const command of [["pairing", "list"], ["status"], ["approvals", "approve", "x"]]) {
      const result = await drawbridge({ DRAWBRIDGE_GATEWAY_URL: dead, GATEWAY_TOKEN: TOKEN }, ...command);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`no gateway answered at ${dead}`);
      expect(result.stderr).toContain("npm start");
      expect(result.stderr).toContain("DRAWBRIDGE_GATEWAY_URL");
      expect(result.stderr).not.toContain("fetch failed");
    }
  }, 60_000);

  it("bad token from the environment: says it was refused and that it came from GATEWAY_TOKEN, exit 4, never echoes it", async () => {
    const result = await drawbridge({ DRAWBRIDGE_GATEWAY_URL: url, GATEWAY_TOKEN: "wrong-token-77aa" }, "pairing", "list");
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`the gateway at ${url} refused the token`);
    expect(result.stderr).toContain("GATEWAY_TOKEN environment variable");
    expect(result.stderr + result.stdout).not.toContain("wrong-token-77aa");
  }, 30_000);

  it("bad token from the local stack's secrets file: names that file, exit 4", async () => {
    await writeFile(join(state, "local-secrets.json"), JSON.stringify({ GATEWAY_TOKEN: "stale-token-19bc" }));
    const result = await drawbridge({ DRAWBRIDGE_GATEWAY_URL: url }, "allow", "list");
    await rm(join(state, "local-secrets.json"));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(join(state, "local-secrets.json"));
    expect(result.stderr).not.toContain("stale-token-19bc");
  }, 30_000);

  it("no token at all: says where one would come from, exit 4", async () => {
    const result = await drawbridge({ DRAWBRIDGE_GATEWAY_URL: url }, "approvals", "list");
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/set GATEWAY_TOKEN .* or run `npm start` first/);
  }, 30_000);

  it("unknown command: says it was unknown and points at --help, exit 2", async () => {
    for (const command of [["pairing", "lst"], ["runner", "stauts"], ["frobnicate"]]) {
      const result = await asOwner(...command);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`unknown command \`${command.join(" ")}\``);
      expect(result.stderr).toContain("drawbridge --help");
    }
  }, 60_000);

  it("a missing argument or an unknown option is a usage error naming the command's --help, exit 2", async () => {
    const missing = await asOwner("pairing", "approve");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("`drawbridge pairing approve` expects <code>");
    expect(missing.stderr).toContain("drawbridge pairing approve --help");
    const unknown = await asOwner("allow", "list", "--colour");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--colour");
  }, 30_000);
});

describe("drawbridge --help", () => {
  it("each command has its own help with its options; the top-level help documents the exit codes", async () => {
    const approve = await asOwner("pairing", "approve", "--help");
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain("usage: drawbridge pairing approve <code>");
    expect(approve.stdout).toContain("--role <value>  trusted|limited|blocked");
    const top = await asOwner("--help");
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/3 {2}gateway unreachable/);
    expect(top.stdout).toMatch(/4 {2}unauthorized/);
    expect(top.stdout).toContain("status [--json]");
  }, 30_000);
});

describe("--json answers in the admin API's shapes", () => {
  it.each([
    [["pairing", "list"], PairingList, "/api/pairing/telegram"],
    [["allow", "list"], AllowList, "/api/allow/telegram"],
    [["approvals", "list"], ApprovalList, "/api/approvals?state=pending"],
    [["runner", "status"], StatusList, "/api/status"],
  ] as const)(
    "%j --json parses with its schema and carries the gateway's answer",
    async (command, schema, route) => {
      const result = await asOwner(...command, "--json");
      expect(result.code).toBe(0);
      expect(schema.parse(JSON.parse(result.stdout))).toEqual(lastServed.get(route));
    },
    30_000,
  );

  it("status --json is one document of the gateway, runners, pending pairings and approvals", async () => {
    const result = await asOwner("status", "--json");
    expect(result.code).toBe(0);
    const view = StatusView.parse(JSON.parse(result.stdout));
    expect(view.gateway).toEqual({ url, version: "0.1.0" });
    expect(view.runners.map((runner) => [runner.runner, runner.connected, runner.queueDepth])).toEqual([["home", true, 2]]);
    expect(view.channels).toEqual([{ channel: "telegram", pending: PairingList.parse(lastServed.get("/api/pairing/telegram")).pending }]);
    expect(view.approvals.map((a) => a.id)).toEqual([approval.id]);
  }, 30_000);

  it("status without --json is the one-glance view", async () => {
    const result = await asOwner("status");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`gateway   ${url}  (version 0.1.0)`);
    expect(result.stdout).toMatch(/runner {4}home {2}connected {2}last seen \d+ s ago {2}queue 2 {2}running 1/);
    expect(result.stdout).toContain("telegram: 1 pending pairing request(s)");
    expect(result.stdout).toContain("approvals 1 waiting");
  }, 30_000);
});
