import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { stopChild } from "../../runner/local-stack/child-process.js";
import { CallJournal, journalPath } from "../../runner/journal/call-journal.js";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { containersOf, docker } from "../support/docker-probe.js";
import { HostileGateway } from "../support/hostile-gateway.js";
import { GatewayCalls } from "../support/signed-call.js";
import { startSizeLimitedRunner, type SizeLimitedRunner } from "../support/size-limited-runner.js";

// The runner's files may not grow past LIMIT bytes; its journal is seeded to end `room` bytes
// short of it, so the journal's next append that does not fit fails in the kernel (EFBIG) after
// writing what fits: a torn line, as on a disk that fills up mid-write.
const LIMIT = 64 * 1024;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const ok = (stdout: string) => ({
  ok: true as const,
  output: { exitCode: 0, stdout, stderr: "", stdoutTruncated: false, stderrTruncated: false, timedOut: false, durationMs: 1 },
});

let current: { runner: string; stateDir: string; gateway: HostileGateway; process: SizeLimitedRunner | null } | null = null;
afterEach(async () => {
  if (!current) return;
  await stopChild(current.process?.child, "SIGINT");
  for (const info of await containersOf(current.runner)) await docker.getContainer(info.Id).remove({ force: true });
  await current.gateway.stop();
  await rm(current.stateDir, { recursive: true, force: true });
  current = null;
}, 60_000);

/**
 * A journal holding an acknowledged result (padding, never re-sent) and one unacknowledged
 * result, "kept", whose size after the runner's compaction on open is exactly LIMIT - room.
 */
async function seedJournal(path: string, room: number): Promise<void> {
  const seed = async (padding: number) => {
    await rm(path, { force: true });
    const { journal } = await CallJournal.open(path);
    await journal.received("padding", 1);
    journal.ack(await journal.finish("padding", ok("x".repeat(padding))));
    await journal.received("kept", 2);
    await journal.finish("kept", ok("a result the gateway has not acknowledged"));
    await journal.close();
    await (await CallJournal.open(path)).journal.close(); // compacted, as the runner's open will
    return (await stat(path)).size;
  };
  const base = await seed(0);
  expect(await seed(LIMIT - room - base)).toBe(LIMIT - room);
}

/** A runner process on a seeded journal, connected, after it re-sent "kept" on welcome. */
async function runnerWithRoom(room: (runner: string) => number) {
  await ensureSandboxImage(docker);
  const runner = `jfail-${randomBytes(4).toString("hex")}`;
  const stateDir = await mkdtemp(join(tmpdir(), `drawbridge-${runner}-`));
  const gateway = new HostileGateway();
  current = { runner, stateDir, gateway, process: null };
  const path = journalPath(stateDir, runner);
  await seedJournal(path, room(runner));
  current.process = await startSizeLimitedRunner(gateway, { runner, gatewayJwk, stateDir, maxFileBytes: LIMIT });
  expect(await gateway.next("result")).toMatchObject({ id: "kept" });
  return { runner, path, gateway, running: current.process };
}

/** The runner stopped on its own, non-zero, with one line naming the journal and the OS error. */
async function expectCleanStop(running: SizeLimitedRunner, path: string) {
  expect(await running.exited).toEqual({ code: 1, signal: null });
  expect(running.stderr().trimEnd().split("\n")).toEqual([
    `drawbridge: the call journal ${path} could not be written: EFBIG: file too large, write`,
  ]);
  expect(running.log.some((line) => line.includes('"event":"journal.failed"'))).toBe(true);
  expect(running.log.some((line) => line.includes('"event":"runner.stopped"'))).toBe(true);
}

describe("a runner whose journal can no longer be written", () => {
  it("stops with one clear line when an ack cannot be appended, and the unacknowledged result survives", async () => {
    const { path, gateway, running } = await runnerWithRoom(() => 8);
    gateway.send({ type: "ack", seq: 2 }); // its line does not fit: 8 bytes are written, then EFBIG
    await expectCleanStop(running, path);
    // The torn ack line is ignored on replay: "kept" is still owed to the gateway.
    const { journal } = await CallJournal.open(path);
    expect(journal.unacked().map((result) => result.id)).toEqual(["kept"]);
    await journal.close();
  });

  it("never runs a call whose started line did not reach the disk, and a restart reports it did not run", async () => {
    // Room for the call's "received" line (GatewayCalls ids: runner, "_", 24 hex digits) and 10 bytes of its "started" line.
    const { runner, path, gateway, running } = await runnerWithRoom((name) => {
      const receivedLine = JSON.stringify({ t: "received", id: `${name}_${"0".repeat(24)}`, seq: 1, at: Date.now() });
      return receivedLine.length + 1 + 10;
    });
    const frame = await new GatewayCalls(gatewayJwk, runner).frame("main", { tool: "exec", args: { command: "echo ran" } }, 10_000);
    gateway.send(frame);
    await expectCleanStop(running, path);
    expect(running.log.filter((line) => line.includes('"event":"call.started"'))).toEqual([]);
    const { journal, interrupted } = await CallJournal.open(path);
    expect(interrupted).toEqual([frame.id]);
    expect(journal.get(frame.id)?.result?.outcome).toMatchObject({
      ok: false,
      error: { code: "call_interrupted", message: expect.stringMatching(/did not run/) },
    });
    expect(journal.unacked().map((result) => result.id)).toEqual(["kept", frame.id]);
    await journal.close();
  });
});
