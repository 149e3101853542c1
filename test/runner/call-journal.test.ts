import { appendFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CallJournal } from "../../runner/journal/call-journal.js";

const dir = await mkdtemp(join(tmpdir(), "drawbridge-journal-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const ok = (stdout: string) => ({
  ok: true as const,
  output: { exitCode: 0, stdout, stderr: "", stdoutTruncated: false, stderrTruncated: false, timedOut: false, durationMs: 1 },
});

describe("the runner's idempotency journal", () => {
  it("survives a restart: finished calls keep their result, unfinished ones are closed as interrupted, never re-run", async () => {
    const path = join(dir, "restart.jsonl");
    const { journal } = await CallJournal.open(path);
    await journal.received("done", 1);
    await journal.started("done");
    const rseq = await journal.finish("done", ok("hello"));
    await journal.received("running", 2);
    await journal.started("running");
    await journal.received("waiting", 3);
    await journal.close();
    // A crash mid-write leaves a torn last line; it is ignored.
    await appendFile(path, '{"t":"finished","id":"runn');

    const reopened = await CallJournal.open(path);
    expect(reopened.interrupted.sort()).toEqual(["running", "waiting"]);
    expect(reopened.journal.get("done")?.result).toMatchObject({ rseq, outcome: ok("hello") });
    expect(reopened.journal.get("running")?.result?.outcome).toMatchObject({
      ok: false,
      error: { code: "call_interrupted", message: expect.stringMatching(/may have run partly/) },
    });
    expect(reopened.journal.get("waiting")?.result?.outcome).toMatchObject({
      ok: false,
      error: { code: "call_interrupted", message: expect.stringMatching(/did not run/) },
    });
    // Every result is unacknowledged so far, so every one is re-sent after a reconnect, in order.
    expect(reopened.journal.unacked().map((r) => r.id)).toEqual(["done", "running", "waiting"]);
    await reopened.journal.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("a read that never got its result recorded is closed as safe to send again, across restarts", async () => {
    const path = join(dir, "reads.jsonl");
    const { journal } = await CallJournal.open(path);
    await journal.received("listing", 1, true);
    await journal.received("reading", 2, true);
    await journal.close();

    // The first reopen closes both; the second (after compaction) still knows they were reads.
    const first = await CallJournal.open(path);
    expect(first.interrupted.sort()).toEqual(["listing", "reading"]);
    await first.journal.received("later-read", 3, true);
    await first.journal.close();
    const second = await CallJournal.open(path);
    expect(second.interrupted).toEqual(["later-read"]);
    for (const id of ["listing", "reading", "later-read"]) {
      expect(second.journal.get(id)?.result?.outcome).toMatchObject({
        ok: false,
        error: { code: "call_interrupted", message: expect.stringMatching(/a read changes nothing, so it is safe to send again/) },
      });
    }
    expect(second.journal.get("later-read")?.readOnly).toBe(true);
    await second.journal.close();
  });

  it("stops re-sending acknowledged results and keeps numbering past them after a restart", async () => {
    const path = join(dir, "acks.jsonl");
    const { journal } = await CallJournal.open(path);
    const seqs = [];
    for (const id of ["a", "b", "c"]) {
      await journal.received(id, seqs.length + 1);
      seqs.push(await journal.finish(id, ok(id)));
    }
    journal.ack(seqs[1]!);
    expect(journal.unacked().map((r) => r.id)).toEqual(["c"]);
    await journal.close();
    const { journal: again } = await CallJournal.open(path);
    expect(again.unacked().map((r) => r.id)).toEqual(["c"]);
    expect(again.isAcked(seqs[1]!)).toBe(true);
    await again.received("d", 4);
    expect(await again.finish("d", ok("d"))).toBeGreaterThan(seqs[2]!);
    await again.close();
    expect((await readFile(path, "utf8")).split("\n").every((line) => line === "" || JSON.parse(line))).toBe(true);
  });
});
