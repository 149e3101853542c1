import { z } from "zod";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { containersOf, docker } from "../support/docker-probe.js";
import { HostileGateway, type Frame } from "../support/hostile-gateway.js";
import { runnerProcessAgainst } from "../support/runner-process.js";
import { GatewayCalls } from "../support/signed-call.js";

// The gateway's `cancel` (DELETE /api/calls/:id, or its deadline) must stop a call that is already
// running, not only one still queued: the real runner process, real Docker, a hostile-gateway harness.
const runner = `cancel-${randomBytes(4).toString("hex")}`;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const gateway = new HostileGateway();
const log: string[] = [];
const calls = new GatewayCalls(gatewayJwk, runner);

const signedCall = (session: string, request: ToolRequest) => calls.frame(session, request, 60_000);

async function resultOf(id: string): Promise<Frame> {
  for (;;) {
    const result = await gateway.next("result", 60_000);
    if (result.id === id) return result;
  }
}

/** Processes of this runner's sandbox containers whose command line contains `needle`. */
const ContainerTop = z.object({ Processes: z.array(z.array(z.string())).nullish() });

async function processesMatching(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const info of await containersOf(runner)) {
    // dockerode leaves top()'s answer untyped; the Engine API answers { Titles, Processes: string[][] }.
    const top = ContainerTop.parse(
      await docker
        .getContainer(info.Id)
        .top({ ps_args: "-eo pid,args" })
        .catch(() => ({ Processes: [] })),
    );
    for (const row of top.Processes ?? []) if (row.join(" ").includes(needle)) found.push(row.join(" "));
  }
  return found;
}

async function untilRunning(needle: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await processesMatching(needle)).length === 0) {
    if (Date.now() > deadline) throw new Error(`"${needle}" never started in the sandbox`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const startedLines = (id: string) => log.filter((line) => line.includes('"event":"call.started"') && line.includes(id)).length;

const runnerProcess = runnerProcessAgainst(gateway, { runner, gatewayJwk, log, sandboxImage: true });

describe("cancel stops a running exec", () => {
  it("sends SIGTERM to the command and what it started, reports it cancelled, journals that, and serves the next call", async () => {
    const command = "trap 'echo got-term > /workspace/term.txt; exit 143' TERM; sleep 3017 & wait $!";
    const frame = await signedCall("cancel", { tool: "exec", args: { command } });
    gateway.send(frame);
    await untilRunning("sleep 3017");

    gateway.send({ type: "cancel", id: frame.id });
    const result = await resultOf(frame.id);
    expect(result).toMatchObject({ outcome: { ok: true, output: { cancelled: true, exitCode: null, timedOut: false } } });
    expect(await processesMatching("sleep 3017")).toEqual([]);

    // The command saw the polite SIGTERM before anything harder.
    const term = await signedCall("cancel", { tool: "read", args: { path: "term.txt" } });
    gateway.send(term);
    expect(await resultOf(term.id)).toMatchObject({ outcome: { ok: true, output: { content: "got-term\n" } } });

    // A redelivery returns the recorded cancelled result; nothing runs again.
    gateway.send(frame);
    expect(await resultOf(frame.id)).toMatchObject({ seq: result.seq, outcome: { ok: true, output: { cancelled: true } } });
    expect(startedLines(frame.id)).toBe(1);

    const next = await signedCall("cancel", { tool: "exec", args: { command: "echo after-cancel" } });
    gateway.send(next);
    expect(await resultOf(next.id)).toMatchObject({ outcome: { ok: true, output: { exitCode: 0, stdout: "after-cancel\n" } } });

    const audit = (await readFile(join(runnerProcess.stateDir, "audit.jsonl"), "utf8")).split("\n").filter(Boolean);
    const line = audit.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.id === frame.id);
    expect(line).toMatchObject({ event: "tool.call", decision: "allowed", outcome: { ok: true, exitCode: null, cancelled: true } });
  }, 120_000);

  it("kills a command that ignores SIGTERM", async () => {
    const frame = await signedCall("stubborn", { tool: "exec", args: { command: "trap '' TERM; sleep 3018; echo survived" } });
    gateway.send(frame);
    await untilRunning("sleep 3018");

    gateway.send({ type: "cancel", id: frame.id });
    const result = await resultOf(frame.id);
    expect(result).toMatchObject({ outcome: { ok: true, output: { cancelled: true, exitCode: null } } });
    expect((result.outcome as { output: { stdout: string } }).output.stdout).not.toContain("survived");
    expect(await processesMatching("sleep 3018")).toEqual([]);
  }, 120_000);
});
