import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AllowList, PairingList } from "../../shared/admin-api.js";

const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
const TOKEN = "right-token-5e1c";

/** The attack run's first_name, plus what a terminal would obey: clear screen, retitle, a CSI in C1 form. */
const ATTACK = "Alice \u202e)1234567 di( \u202c\nCode: ZZZZ2222\n\u200b";
const TERMINAL_TRICKS = "Bob\u001b[2J\u001b]0;owned\u0007\u009b31m\u2028x";
// Every character a terminal or the bidi algorithm acts on, other than newline and tab.
// eslint-disable-next-line no-control-regex
const OBEYED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029\u061c\ufeff]/u;

/** An old or hostile gateway that hands the names over raw: the CLI must not trust it to have escaped them. */
const ANSWERS: Record<string, unknown> = {
  "/api/pairing/telegram": {
    pending: [
      { code: "K7QW2MXP", senderId: "42", name: ATTACK, ageSeconds: 30, expiresInSeconds: 3570 },
      { code: "M3RT8WQA", senderId: "43", name: TERMINAL_TRICKS, ageSeconds: 40, expiresInSeconds: 3560 },
    ],
  },
  "/api/allow/telegram": { allowed: [{ senderId: "42", role: "trusted", name: ATTACK, source: "pairing" }] },
};

let server: Server;
let url: string;
let state: string;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), "drawbridge-cli-names-"));
  server = createServer((request, response) => {
    const answer = request.headers.authorization === `Bearer ${TOKEN}` ? ANSWERS[request.url ?? ""] : undefined;
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

describe("drawbridge prints senders' names escaped (issue 14 item 3)", () => {
  it("pairing list: one line per request, the real code and id first, no fake Code line, nothing a terminal obeys", async () => {
    const result = await drawbridge("pairing", "list");
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(OBEYED);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^K7QW2MXP {2}sender 42 {2}/);
    expect(lines[0]).toContain("“Alice \\u202e)1234567 di( \\u202c⏎Code: ZZZZ2222⏎\\u200b”");
    expect(lines.filter((line) => /^\W*code\s*:/i.test(line))).toEqual([]);
    expect(lines[1]).toContain("“Bob\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m⏎x”");
  }, 30_000);

  it("allow list escapes the same", async () => {
    const result = await drawbridge("allow", "list");
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(OBEYED);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
  }, 30_000);

  it("--json stays the gateway's exact answer, with what a terminal obeys written as JSON escapes", async () => {
    for (const [args, schema, route] of [
      [["pairing", "list"], PairingList, "/api/pairing/telegram"],
      [["allow", "list"], AllowList, "/api/allow/telegram"],
    ] as const) {
      const result = await drawbridge(...args, "--json");
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(OBEYED);
      expect(schema.parse(JSON.parse(result.stdout))).toEqual(ANSWERS[route]);
    }
  }, 30_000);
});
