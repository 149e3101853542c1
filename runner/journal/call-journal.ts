import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { Entry, interruptedOutcome, type JournalRecord } from "./journal-entry.js";
import { JournalError } from "./journal-error.js";

export function journalPath(stateDir: string, runner: string): string {
  return join(stateDir, `journal-${runner}.jsonl`);
}

/** Ids are remembered this long: longer than any capability lives, so a replay is always recognised. */
export const JOURNAL_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * A call whose result the gateway acknowledged leaves memory (not the file) this long after the
 * ack. The gateway signs a call's capability only while it waits for the result, and the runner
 * accepts a capability at most 155 s after it was signed and at most 5 s before (capability-check):
 * a replay of a call forgotten here is refused as expired, with minutes to spare for clock skew.
 */
export const ACKED_KEPT_IN_MEMORY_MS = 10 * 60 * 1000;

/** Opens the file the journal appends to (tests hand in a handle whose writes fail). */
export type AppendHandle = (path: string) => Promise<FileHandle>;
const appendTo: AppendHandle = (path) => open(path, "a", 0o600);

/**
 * The runner's idempotency journal: every call id it has seen, whether it started, and its
 * result. Written (and fsynced) before a call runs and before its result is sent, so a call is
 * executed at most once however often it is delivered, and a result whose frame was lost is
 * sent again after a reconnect. A read (`readOnly`) is not fsynced before it runs: running one
 * again is harmless (see CallExecutor). JSON lines, mode 0600, compacted on open.
 *
 * The first failed append or fsync ends it: every later write is refused and `failed` settles
 * (see JournalError for why nothing more is appended). What was on disk before stays there.
 */
export class CallJournal {
  private readonly records = new Map<string, JournalRecord>();
  /** Results not acknowledged yet, and acknowledged ones by when (oldest first): what leaves memory when. */
  private awaitingAck: Array<{ id: string; rseq: number }> = [];
  private readonly acked: Array<{ id: string; rseq: number; at: number }> = [];
  private nextRseq = 1;
  private ackedRseq = 0;
  private queue: Array<{ line: string; done: () => void; fail: (error: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;
  private failure: JournalError | null = null;
  private reportFailure: (error: JournalError) => void = () => undefined;
  /** Settles (never rejects) with the first write failure; the runner stops serving on it. */
  readonly failed = new Promise<JournalError>((resolve) => (this.reportFailure = resolve));

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    private readonly appendHandle: AppendHandle,
  ) {}

  /**
   * Opens (or creates) the journal. Calls a previous process received but never finished are
   * closed now with an "interrupted" result: they are never run again.
   */
  static async open(path: string, now = Date.now(), appendHandle = appendTo): Promise<{ journal: CallJournal; interrupted: string[] }> {
    try {
      return await CallJournal.replay(path, now, appendHandle);
    } catch (error) {
      throw error instanceof JournalError ? error : new JournalError(path, "opened", error);
    }
  }

  private static async replay(
    path: string,
    now: number,
    appendHandle: AppendHandle,
  ): Promise<{ journal: CallJournal; interrupted: string[] }> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const replayed = new CallJournal(path, await open(path, "a", 0o600), appendHandle);
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let entry: Entry;
      try {
        entry = Entry.parse(JSON.parse(line));
      } catch {
        continue; // a torn last line from a crash mid-write: that write never completed
      }
      replayed.apply(entry);
    }
    await replayed.handle.close();
    const journal = await replayed.compact(now);
    const interrupted: string[] = [];
    for (const record of journal.records.values()) {
      if (record.result) continue;
      interrupted.push(record.id);
      await journal.finish(record.id, interruptedOutcome(record));
    }
    return { journal, interrupted };
  }

  /** The write failure that ended the journal, if one did. */
  get failedWith(): JournalError | null {
    return this.failure;
  }

  get(id: string): JournalRecord | undefined {
    return this.records.get(id);
  }

  isAcked(rseq: number): boolean {
    return rseq <= this.ackedRseq;
  }

  /** Calls held in memory: the unfinished, the unacknowledged and those acknowledged lately. */
  get remembered(): number {
    return this.records.size;
  }

  /** Durably records that the call arrived (before anything else happens to it). */
  received(id: string, seq: number, readOnly = false): Promise<void> {
    const at = Date.now();
    return this.write(readOnly ? { t: "received", id, seq, at, readOnly } : { t: "received", id, seq, at });
  }

  /** Durably records that the call is about to run: after this, it never runs again. */
  started(id: string): Promise<void> {
    return this.write({ t: "started", id, at: Date.now() });
  }

  /** Durably records the result and returns its result seq. */
  async finish(id: string, outcome: ToolOutcome): Promise<number> {
    const rseq = this.nextRseq;
    await this.write({ t: "finished", id, rseq, outcome, at: Date.now() });
    return rseq;
  }

  /** Allocates a result seq for an answer that is not a call's own result (a refused replay). */
  allocateRseq(): number {
    return this.nextRseq++;
  }

  /** The gateway stored every result up to `rseq`. Not waited for: a lost ack only means a re-send. */
  ack(rseq: number): void {
    if (rseq <= this.ackedRseq) return;
    // Nobody waits for this line; if it fails, `failed` says so (and the runner stops), as for any line.
    this.write({ t: "acked", rseq }).catch(() => undefined);
  }

  /** Results the gateway has not acknowledged, oldest first: what a reconnect sends again. */
  unacked(): Array<{ rseq: number; id: string; outcome: ToolOutcome }> {
    const pending: Array<{ rseq: number; id: string; outcome: ToolOutcome }> = [];
    for (const record of this.records.values()) {
      if (record.result && record.result.rseq > this.ackedRseq)
        pending.push({ rseq: record.result.rseq, id: record.id, outcome: record.result.outcome });
    }
    return pending.sort((a, b) => a.rseq - b.rseq);
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle.close();
  }

  private apply(entry: Entry): void {
    switch (entry.t) {
      case "received":
        if (!this.records.has(entry.id))
          this.records.set(entry.id, {
            id: entry.id,
            seq: entry.seq,
            receivedAt: entry.at,
            readOnly: entry.readOnly === true,
            started: false,
            result: null,
          });
        return;
      case "started": {
        const record = this.records.get(entry.id);
        if (record) record.started = true;
        return;
      }
      case "finished": {
        const record = this.records.get(entry.id) ?? {
          id: entry.id,
          seq: 0,
          receivedAt: entry.at,
          readOnly: false,
          started: false,
          result: null,
        };
        record.result = { rseq: entry.rseq, outcome: entry.outcome, at: entry.at };
        this.records.set(entry.id, record);
        this.nextRseq = Math.max(this.nextRseq, entry.rseq + 1);
        this.awaitingAck.push({ id: entry.id, rseq: entry.rseq });
        return;
      }
      case "acked": {
        this.ackedRseq = Math.max(this.ackedRseq, entry.rseq);
        this.nextRseq = Math.max(this.nextRseq, entry.rseq + 1);
        // Read back from the file, an ack counts from now: later than it came, so kept longer.
        const at = Date.now();
        const still = this.awaitingAck.filter((result) => result.rseq > this.ackedRseq);
        if (still.length === this.awaitingAck.length) return;
        for (const result of this.awaitingAck) if (result.rseq <= this.ackedRseq) this.acked.push({ ...result, at });
        this.awaitingAck = still;
      }
    }
  }

  /** Drops from memory the calls acknowledged more than ACKED_KEPT_IN_MEMORY_MS ago (see there why that is safe). */
  private forgetAcked(now: number): void {
    while (this.acked.length > 0 && now - this.acked[0]!.at >= ACKED_KEPT_IN_MEMORY_MS) {
      const { id, rseq } = this.acked.shift()!;
      // Only that result's record: a later record under the same id (a refused replay) stays.
      if (this.records.get(id)?.result?.rseq === rseq) this.records.delete(id);
    }
  }

  /** Rewrites the file with what is still needed: recent ids (for dedupe) and unacked results. */
  private async compact(now: number): Promise<CallJournal> {
    const lines: string[] = [];
    for (const record of this.records.values()) {
      const fresh = now - record.receivedAt < JOURNAL_RETENTION_MS;
      const unacked = record.result !== null && record.result.rseq > this.ackedRseq;
      if (!fresh && !unacked && record.result) {
        this.records.delete(record.id);
        continue;
      }
      const received: Entry = { t: "received", id: record.id, seq: record.seq, at: record.receivedAt };
      lines.push(JSON.stringify(record.readOnly ? { ...received, readOnly: true } : received));
      if (record.started) lines.push(JSON.stringify({ t: "started", id: record.id, at: record.receivedAt } satisfies Entry));
      if (record.result) lines.push(JSON.stringify({ t: "finished", id: record.id, ...record.result } satisfies Entry));
    }
    lines.push(JSON.stringify({ t: "acked", rseq: this.ackedRseq } satisfies Entry));
    const tmp = `${this.path}.tmp`;
    const out = await open(tmp, "w", 0o600);
    await out.writeFile(lines.join("\n") + "\n");
    await out.datasync();
    await out.close();
    await rename(tmp, this.path);
    this.handle = await this.appendHandle(this.path);
    return this;
  }

  /** Applies the entry in memory at once and appends it; concurrent writes share one fsync. */
  private write(entry: Entry): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.apply(entry);
    this.forgetAcked(Date.now());
    const line = JSON.stringify(entry) + "\n";
    const written = new Promise<void>((done, fail) => this.queue.push({ line, done, fail }));
    if (!this.flushing) this.flushing = this.flush();
    return written;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.handle.appendFile(batch.map((item) => item.line).join(""));
        await this.handle.datasync();
        for (const item of batch) item.done();
      } catch (error) {
        // Lines queued behind the failed batch are never appended: the file's tail is unknown.
        const failure = (this.failure = new JournalError(this.path, "written", error));
        for (const item of [...batch, ...this.queue.splice(0)]) item.fail(failure);
        this.reportFailure(failure);
      }
    }
    this.flushing = null;
  }
}
