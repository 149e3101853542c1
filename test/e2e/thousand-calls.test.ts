import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack } from "../support/test-stack.js";
import { ConsoleReply, StatusList } from "../../shared/admin-api.js";

// Issue 4, acceptance 6: 1,000 calls in flight at once over the runner's one socket, each
// answered with its own result. The calls are `/ls d<n>` of distinct directories of a
// read-only workspace (no Docker): directory d<n> holds one file, f<n>-<token>, so a result
// handed to the wrong call, or a call answered twice, shows.
const CALLS = 1000;
const token = Math.random().toString(36).slice(2, 8);
let workspace = "";

const generous = { perMinute: 100_000, burst: 10_000 };
const access = { rateLimits: { message: generous, tool: generous, pairing: generous, channel: generous } };
let stack: TestStack;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), "drawbridge-1000-"));
  const root = join(workspace, "ws");
  for (let n = 0; n < CALLS; n++) {
    await mkdir(join(root, `d${n}`), { recursive: true });
    await writeFile(join(root, `d${n}`, `f${n}-${token}`), String(n));
  }
  stack = new TestStack({
    vars: { DRAWBRIDGE_ACCESS: JSON.stringify(access) },
    runnerConfig: { workspace: { roots: [workspace], path: root }, sandbox: { workspaceAccess: "ro", warmPool: 0 } },
  });
  await stack.start();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
}, 60_000);

type CallView = { id: string; state: string; outcome: { ok: boolean; output?: { entries: Array<{ name: string }> } } | null };

async function send(text: string): Promise<string> {
  const { reply } = await stack.read(ConsoleReply, "POST", "/api/messages", { text });
  if (reply === null) throw new Error(`no reply to ${text}`);
  return reply;
}

async function finished(id: string, timeoutMs = 120_000): Promise<CallView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = (await stack.api("GET", `/api/calls/${id}`)).body as CallView;
    if (call.state === "done") return call;
    if (Date.now() > deadline) throw new Error(`call ${id} not done: ${JSON.stringify(call)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function callId(reply: string): string {
  const id = /Call ([a-z0-9-]+_[0-9a-f]{32})/.exec(reply)?.[1];
  if (!id) throw new Error(`no call id in ${JSON.stringify(reply)}`);
  return id;
}

/** Runs `work` over 0..count-1 with at most `width` at a time. */
async function inBatches<T>(count: number, width: number, work: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let n = next++; n < count; n = next++) results[n] = await work(n);
    }),
  );
  return results;
}

describe("1,000 concurrent in-flight calls over one socket (issue 4, acceptance 6)", () => {
  it("queues 1,000 distinct calls, sends them all over the reconnected socket at once, and each gets its own result", async () => {
    // Queued while the runner is away, so that on reconnect the hub has all 1,000 in flight on the
    // one socket at the same moment (the dev server's HTTP front door, not the tunnel, limits how
    // many requests may be open at once).
    await stack.stopRunner();
    const ids = await inBatches(CALLS, 25, async (n) => {
      const reply = await send(`/ls d${n}`);
      expect(reply).toMatch(/^⏳ Queued — the home runner is offline/);
      return callId(reply);
    });
    expect(new Set(ids).size).toBe(CALLS);
    const status = await stack.read(StatusList, "GET", "/api/status");
    expect(status.runners.find((r) => r.runner === stack.runnerName)).toMatchObject({ connected: false, queueDepth: CALLS });

    const logFrom = stack.runnerLog.length;
    await stack.startRunner();
    const results = await inBatches(CALLS, 25, (n) => finished(ids[n]!));
    for (const [n, call] of results.entries()) {
      expect(call.outcome, `call ${n}`).toEqual({
        ok: true,
        output: {
          tool: "ls",
          path: `/workspace/d${n}`,
          entries: [{ name: `f${n}-${token}`, type: "file", bytes: String(n).length }],
          truncated: false,
        },
      });
    }

    // One connection carried them all, and the runner ran each exactly once.
    const log = stack.runnerLog.slice(logFrom);
    expect(log.filter((line) => line.includes('"event":"tunnel.ready"'))).toHaveLength(1);
    const started = log.filter((line) => line.includes('"event":"call.started"')).map((line) => (JSON.parse(line) as { id: string }).id);
    expect(started.sort()).toEqual([...ids].sort());
  }, 600_000);

  it("with the runner online, concurrent callers each get their own result inline", async () => {
    // 100 at once is what the local dev server's front door reliably holds open; the tunnel's
    // 1,000 are shown above.
    const replies = await Promise.all(Array.from({ length: 100 }, (_, n) => send(`/ls d${n}`)));
    for (const [n, reply] of replies.entries()) {
      if (reply.startsWith("⏳ Still running")) {
        const call = await finished(callId(reply));
        expect(call.outcome?.output?.entries.map((entry) => entry.name)).toEqual([`f${n}-${token}`]);
      } else {
        expect(reply, `caller ${n}`).toContain(`f${n}-${token}`);
        expect(reply.split(token), `caller ${n} sees one listing`).toHaveLength(2);
      }
    }
  }, 300_000);
});
