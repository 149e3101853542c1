import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import { journalPath } from "../../runner/journal/call-journal.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { HostileGateway, type Frame } from "../support/hostile-gateway.js";
import { runnerProcessAgainst } from "../support/runner-process.js";
import { GatewayCalls } from "../support/signed-call.js";

// Reads skip the "started" fsync and share fsyncs for their results (call-executor.ts). What must
// not change: a read never overtakes an earlier write or exec of its session, and no result leaves
// the runner before its journal line is written. Hundreds of calls of one session are sent at once.
const runner = `order-${randomBytes(4).toString("hex")}`;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const gateway = new HostileGateway();
const log: string[] = [];
const calls = new GatewayCalls(gatewayJwk, runner);

const signedCall = (session: string, request: ToolRequest) => calls.frame(session, request, 30_000);

/** Collects one result per id; checks, as each arrives, that the journal already holds its "finished" line. */
async function resultsOf(ids: string[]): Promise<{ results: Map<string, Frame>; sentBeforeJournaled: string[] }> {
  const results = new Map<string, Frame>();
  const sentBeforeJournaled: string[] = [];
  while (results.size < ids.length) {
    const result = await gateway.next("result", 60_000);
    const id = String(result.id);
    const journal = readFileSync(journalPath(runnerProcess.stateDir, runner), "utf8");
    if (!journal.includes(`"t":"finished","id":"${id}"`)) sentBeforeJournaled.push(id);
    results.set(id, result);
  }
  return { results, sentBeforeJournaled };
}

const runnerProcess = runnerProcessAgainst(gateway, { runner, gatewayJwk, log, sandboxImage: true });

describe("one session's calls, hundreds in flight", () => {
  it("every read sees the write and the exec before it, and no result is sent before it is journaled", async () => {
    const rounds = 40;
    const plan: Array<{ round: number; request: ToolRequest }> = [];
    for (let n = 0; n < rounds; n++) {
      plan.push({ round: n, request: { tool: "write", args: { path: "notes/now.txt", content: `w${n}` } } });
      plan.push({ round: n, request: { tool: "read", args: { path: "notes/now.txt" } } });
      plan.push({ round: n, request: { tool: "exec", args: { command: `printf e${n} >> /workspace/notes/now.txt` } } });
      plan.push({ round: n, request: { tool: "read", args: { path: "notes/now.txt" } } });
      plan.push({ round: n, request: { tool: "ls", args: { path: "notes" } } });
    }
    const frames = await Promise.all(plan.map((step) => signedCall("order", step.request)));
    for (const frame of frames) gateway.send(frame);

    const { results, sentBeforeJournaled } = await resultsOf(frames.map((frame) => frame.id));
    expect(sentBeforeJournaled).toEqual([]);
    const contents = frames.map((frame, i) => {
      const outcome = results.get(frame.id)?.outcome as { ok: boolean; output?: { content?: string; entries?: unknown } };
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      return plan[i]!.request.tool === "read" ? outcome.output?.content : undefined;
    });
    // Round n: the read after the write sees exactly it; the read after the exec sees what the exec appended.
    const expected = plan.map((step, i) =>
      step.request.tool !== "read" ? undefined : plan[i - 1]!.request.tool === "write" ? `w${step.round}` : `w${step.round}e${step.round}`,
    );
    expect(contents).toEqual(expected);

    // They also started in the order they were sent; only writes and execs wrote a "started" line.
    const started = log.filter((line) => line.includes('"event":"call.started"')).map((line) => (JSON.parse(line) as { id: string }).id);
    expect(started).toEqual(frames.map((frame) => frame.id));
    const journal = readFileSync(journalPath(runnerProcess.stateDir, runner), "utf8");
    const withStartedLine = frames.filter((frame) => journal.includes(`"t":"started","id":"${frame.id}"`));
    expect(withStartedLine.map((frame) => frame.request.tool).sort()).toEqual([
      ...Array<string>(rounds).fill("exec"),
      ...Array<string>(rounds).fill("write"),
    ]);
  }, 180_000);
});
