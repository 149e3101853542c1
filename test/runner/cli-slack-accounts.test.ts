import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatusView } from "../../runner/cli/status-command.js";

/**
 * The CLI reaches a Slack workspace's pairing and allowlist: `--channel slack:<team id>` (or the
 * positional) goes to /api/…/slack:<team id>, and `drawbridge status` lists each workspace the
 * gateway names in GET /api/status `channels` with its pending requests.
 */
const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
const TOKEN = "right-token-51ac";
const ACCOUNT = "slack:T0ABC1234";
const AT = `/${encodeURIComponent(ACCOUNT)}`;
const PENDING = { code: "K7QW2MXP", senderId: "U0STRANGER1", name: "Stranger", ageSeconds: 30, expiresInSeconds: 3570 };

const ANSWERS: Record<string, unknown> = {
  "GET /healthz": { ok: true, version: "test" },
  "GET /api/status": {
    runners: [],
    model: null,
    channels: [
      { channel: "telegram", account: "telegram:1", firstSeen: null, lastSeen: null },
      { channel: "slack", account: ACCOUNT, firstSeen: "2026-12-01T10:00:00.000Z", lastSeen: "2026-12-01T11:00:00.000Z" },
    ],
  },
  "GET /api/pairing/telegram": { pending: [] },
  "GET /api/approvals?state=pending": { approvals: [] },
  [`GET /api/pairing${AT}`]: { pending: [PENDING] },
  [`POST /api/pairing${AT}/approve`]: {
    ...{ ok: true, action: "approve", senderId: PENDING.senderId, name: "Stranger", role: "limited" },
    message: "Approved U0STRANGER1 as limited.",
  },
  [`GET /api/allow${AT}`]: { allowed: [{ senderId: PENDING.senderId, role: "limited", name: "Stranger", source: "pairing" }] },
};

let server: Server;
let url: string;
let state: string;
const seen: string[] = [];

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), "drawbridge-cli-slack-"));
  server = createServer((request, response) => {
    const key = `${request.method} ${request.url}`;
    seen.push(key);
    const answer = request.headers.authorization === `Bearer ${TOKEN}` ? ANSWERS[key] : undefined;
    if (answer === undefined)
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"not_found","message":"no"}}');
    else response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(state, { recursive: true, force: true });
});

function drawbridge(...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cliEntry, ...args],
      { env: { PATH: process.env.PATH ?? "", DRAWBRIDGE_STATE_DIR: state, DRAWBRIDGE_GATEWAY_URL: url, GATEWAY_TOKEN: TOKEN } },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

describe("drawbridge pairing / allow / status for a Slack workspace", () => {
  it("pairing list and approve, allow list: the workspace's account as the channel", async () => {
    const list = await drawbridge("pairing", "list", ACCOUNT);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^K7QW2MXP {2}sender U0STRANGER1 {2}“Stranger”/);

    const approve = await drawbridge("pairing", "approve", "K7QW2MXP", "--channel", ACCOUNT);
    expect(approve).toEqual({ code: 0, stdout: "Approved U0STRANGER1 as limited.\n" });

    const allowed = await drawbridge("allow", "list", "--channel", ACCOUNT);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("U0STRANGER1");
    expect(seen).toEqual(expect.arrayContaining([`GET /api/pairing${AT}`, `POST /api/pairing${AT}/approve`, `GET /api/allow${AT}`]));
  }, 60_000);

  it("status lists the Slack workspace's pending requests beside Telegram's", async () => {
    const text = await drawbridge("status");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("channel   telegram: no pending pairing requests");
    expect(text.stdout).toContain(`channel   ${ACCOUNT}: 1 pending pairing request(s) — drawbridge pairing list ${ACCOUNT}`);

    const json = await drawbridge("status", "--json");
    expect(json.code).toBe(0);
    expect(StatusView.parse(JSON.parse(json.stdout)).channels).toEqual([
      { channel: "telegram", pending: [] },
      { channel: ACCOUNT, pending: [PENDING] },
    ]);
  }, 60_000);
});
