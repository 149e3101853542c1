import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { CallJournal } from "../../runner/journal/call-journal.js";
import { JournalError } from "../../runner/journal/journal-error.js";
import { CallExecutor } from "../../runner/tunnel/call-executor.js";
import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";

// The journal is a real file, replayed and compacted as always; only the handle it appends to
// is /dev/full, where every write fails in the kernel with ENOSPC, as on a full disk.
const dir = await mkdtemp(join(tmpdir(), "drawbridge-journal-failure-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
const onFullDisk = (path: string) => CallJournal.open(path, Date.now(), () => open("/dev/full", "a"));
const ok = (stdout: string): ToolOutcome => ({
  ok: true,
  output: { exitCode: 0, stdout, stderr: "", stdoutTruncated: false, stderrTruncated: false, timedOut: false, durationMs: 1 },
});

// An unhandled rejection is what ended the runner process: none may happen here.
const unhandled: unknown[] = [];
const collect = (reason: unknown) => unhandled.push(reason);
beforeEach(() => void process.on("unhandledRejection", collect));
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 50)); // rejections are reported a tick late
  process.off("unhandledRejection", collect);
  expect(unhandled.splice(0)).toEqual([]);
});

describe("a journal whose writes fail", () => {
  it("an ack it cannot write ends the journal with the OS error as cause; the results on disk stay", async () => {
    const path = join(dir, "ack.jsonl");
    const { journal: healthy } = await CallJournal.open(path);
    await healthy.received("kept", 1);
    const rseq = await healthy.finish("kept", ok("kept"));
    await healthy.close();

    const { journal } = await onFullDisk(path);
    journal.ack(rseq);
    const failure = await journal.failed;
    expect(failure).toBeInstanceOf(JournalError);
    expect(failure.message).toBe(`the call journal ${path} could not be written: ENOSPC: no space left on device, write`);
    expect(failure.cause).toMatchObject({ code: "ENOSPC" });
    // Nothing more is appended after a failure, durable or not.
    await expect(journal.started("later")).rejects.toBe(failure);
    journal.ack(rseq + 1);
    await journal.close();

    const { journal: reopened } = await CallJournal.open(path);
    expect(reopened.unacked().map((result) => result.id)).toEqual(["kept"]);
    await reopened.close();
  });

  it("a call whose arrival is not on disk never runs, nor do the calls after it", async () => {
    const { journal } = await onFullDisk(join(dir, "calls.jsonl"));
    const ran: string[] = [];
    const sent: string[] = [];
    const log: string[] = [];
    const executor = new CallExecutor(
      journal,
      () => Promise.resolve({ ok: true }),
      (call) => {
        ran.push(call.id);
        return Promise.resolve(ok("ran"));
      },
      (_rseq, id) => sent.push(id),
      (event) => log.push(event),
    );
    const call = (id: string, session: string, tool: "exec" | "ls") =>
      ({
        type: "call",
        seq: 1,
        id,
        session,
        request: tool === "exec" ? { tool, args: { command: "touch /workspace/ran" } } : { tool, args: { path: "." } },
      }) as unknown as Call;
    const first = await executor.admit(call("first", "main", "exec"));
    const second = await executor.admit(call("second", "main", "exec"));
    await expect(first.durable).rejects.toBeInstanceOf(JournalError);
    await expect(second.durable).rejects.toBeInstanceOf(JournalError);
    await journal.failed;
    // After the failure even a read, which needs no "started" line, is not admitted.
    await expect((await executor.admit(call("read", "other", "ls"))).durable).rejects.toBeInstanceOf(JournalError);
    await expect.poll(() => log.filter((event) => event === "call.not_run").length).toBe(2);
    expect({ ran, sent, inFlight: executor.inFlight }).toEqual({ ran: [], sent: [], inFlight: 0 });
    await journal.close();
  });
});
