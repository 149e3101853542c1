import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import type { CallJournal } from "../journal/call-journal.js";

/** Runs one admitted call; `signal` aborts when the gateway cancels it while it runs. */
export type CallRunner = (call: Call, signal: AbortSignal) => Promise<ToolOutcome>;
export type CapabilityCheck = { ok: true } | { ok: false; reason: string };
export type CallVerifier = (call: Call) => Promise<CapabilityCheck>;
export type ResultSink = (rseq: number, id: string, outcome: ToolOutcome) => void;
export type ExecutorLog = (event: string, fields?: Record<string, unknown>) => void;
/** Writes the audit line for a call refused at admission; its result is sent only after the line is written. */
export type RefusalAudit = (call: Call, reason: string) => Promise<void>;

/** Tools that only look: running one twice changes nothing, so it needs no "started" fsync. */
export function isReadOnly(call: Call): boolean {
  return call.request.tool === "read" || call.request.tool === "ls";
}

function refused(message: string): ToolOutcome {
  return { ok: false, error: { code: "capability_refused", message } };
}

/**
 * Turns delivered calls into at-most-once executions. `admit` runs in arrival order (the client
 * chains it); the ack for a call follows once its arrival is durably journaled, so the ack is true.
 * Calls of one session run one after another, in order; different sessions run side by side.
 *
 * Journal writes are pipelined: the client starts each capability check when its frame arrives;
 * admission records the arrival without waiting for the disk before the next call is admitted
 * (arrivals share fsyncs); a call with effects (exec, write, edit) runs only once its arrival and
 * its "started" line are on disk; every result is sent only once its "finished" line is. The
 * session's next call may start as soon as the previous result is recorded in memory: the journal
 * is one append-only file, so the fsync that makes a later line durable makes the earlier ones
 * durable too.
 *
 * A read (`read`, `ls`) changes nothing, so running one again after a crash is harmless: it skips
 * the "started" fsync and does not wait for its arrival to reach the disk. Its result still goes
 * out only once journaled, and results waiting for the disk share one fsync. It still runs after
 * every earlier call of its session has finished, so it sees what an earlier write or exec did.
 */
export class CallExecutor {
  private readonly sessions = new Map<string, Promise<void>>();
  private readonly cancelled = new Set<string>();
  private readonly running = new Set<string>();
  /** Calls that have started, by id: aborting one stops it (see CallRunner). */
  private readonly started = new Map<string, AbortController>();

  constructor(
    private readonly journal: CallJournal,
    private readonly verify: CallVerifier,
    private readonly run: CallRunner,
    private readonly sendResult: ResultSink,
    private readonly log: ExecutorLog,
    private readonly auditRefusal: RefusalAudit = () => Promise.resolve(),
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Admits one call; `check` is its capability check, started when the frame arrived. Resolves
   * once the call is journaled in memory, so the client may admit the next one; `durable`
   * resolves once its arrival is on disk (what the ack promises).
   */
  async admit(call: Call, check: Promise<CapabilityCheck> = this.verify(call)): Promise<{ durable: Promise<void> }> {
    // A journal that failed takes no more calls, reads included: the runner is stopping.
    const failure = this.journal.failedWith;
    if (failure) return { durable: Promise.reject(failure) };
    const known = this.journal.get(call.id);
    if (known) {
      this.redelivered(call, known.result);
      return { durable: Promise.resolve() };
    }
    const verdict = await check;
    // A redelivery that arrived while this call's check was running is admitted once only.
    if (this.journal.get(call.id)) return { durable: Promise.resolve() };
    const readOnly = isReadOnly(call);
    const durable = this.journal.received(call.id, call.seq, readOnly);
    if (!verdict.ok) {
      this.log("call.refused", { id: call.id, reason: verdict.reason });
      const outcome = refused(`The runner refused this call: ${verdict.reason}.`);
      // Journaled in memory at once (a redelivery finds it); sent once journal and audit lines are written.
      const recorded = Promise.all([this.journal.finish(call.id, outcome), this.audited(call, verdict.reason)]);
      this.whenRecorded(
        call.id,
        outcome,
        recorded.then(([rseq]) => rseq),
      );
      return { durable };
    }
    this.log("call.received", { id: call.id, seq: call.seq, tool: call.request.tool, session: call.session });
    this.running.add(call.id);
    const previous = this.sessions.get(call.session) ?? Promise.resolve();
    const ready = readOnly ? previous : Promise.all([previous, durable]);
    const next = ready.then(() => this.execute(call, readOnly));
    this.sessions.set(call.session, next);
    const settled = () => {
      if (this.sessions.get(call.session) === next) this.sessions.delete(call.session);
    };
    // `next` rejects only when the journal failed (this call's arrival or "started" line, or an
    // earlier call's of its session, is not on disk): the call did not run and its session's later
    // calls will not either. The runner stops on the journal's `failed`; here it is only logged.
    next.then(settled, (error: unknown) => {
      settled();
      this.forget(call.id);
      this.log("call.not_run", { id: call.id, message: error instanceof Error ? error.message : String(error) });
    });
    return { durable };
  }

  /**
   * The gateway gave up on the call: if it has not started, it never will; if it is running, it
   * is stopped (an exec is killed; a file tool, done in milliseconds, finishes). Either way its
   * result is journaled like any other, so a redelivery gets the recorded cancelled result.
   */
  cancel(id: string): void {
    if (!this.running.has(id)) return;
    this.cancelled.add(id);
    const controller = this.started.get(id);
    this.log("call.cancelled", { id, running: controller !== undefined });
    controller?.abort();
  }

  private redelivered(call: Call, result: { rseq: number; outcome: ToolOutcome } | null): void {
    if (!result) return; // still running here: its result follows
    if (this.journal.isAcked(result.rseq)) {
      // The gateway already stored this result, so a second delivery is not a resend: it is a replay.
      this.log("call.replay_refused", { id: call.id });
      const reason = "this call already ran and its result was delivered; a replay is refused";
      const rseq = this.journal.allocateRseq();
      // `audited` never rejects; a throw while sending is logged, not left an unhandled rejection.
      this.audited(call, reason)
        .then(() => this.sendResult(rseq, call.id, refused(reason)))
        .catch((error: unknown) => this.log("result.send_failed", { id: call.id, message: String(error) }));
      return;
    }
    this.log("call.result_resent", { id: call.id });
    this.sendResult(result.rseq, call.id, result.outcome);
  }

  private async execute(call: Call, readOnly: boolean): Promise<void> {
    let outcome: ToolOutcome;
    const notStarted: ToolOutcome = {
      ok: false,
      error: { code: "call_cancelled", message: "The call was cancelled before it started; it did not run." },
    };
    if (this.cancelled.has(call.id)) {
      outcome = notStarted;
    } else {
      const controller = new AbortController();
      this.started.set(call.id, controller);
      if (!readOnly) await this.journal.started(call.id);
      this.log("call.started", { id: call.id, tool: call.request.tool, session: call.session });
      // A cancel that came while "started" was being written still finds nothing running.
      outcome = controller.signal.aborted
        ? notStarted
        : await this.run(call, controller.signal).catch((error: unknown): ToolOutcome => ({
            ok: false,
            error: {
              code: "tool_failed",
              message: `the runner could not run the call: ${error instanceof Error ? error.message : String(error)}`,
            },
          }));
    }
    // Recorded in memory at once (the session's next call may start); sent once it is on disk.
    const recorded = this.journal.finish(call.id, outcome);
    this.forget(call.id);
    this.whenRecorded(call.id, outcome, recorded, () => this.log("call.finished", { id: call.id, ok: outcome.ok }));
  }

  private forget(id: string): void {
    this.running.delete(id);
    this.cancelled.delete(id);
    this.started.delete(id);
  }

  /** The refusal's audit line; a failed write is logged and the refusal still goes out (refusing is always safe). */
  private audited(call: Call, reason: string): Promise<void> {
    return this.auditRefusal(call, reason).catch((error: unknown) =>
      this.log("audit.write_failed", { id: call.id, message: error instanceof Error ? error.message : String(error) }),
    );
  }

  /** Sends a result once its journal line is on disk; if the write fails it stays unsent (the gateway times the call out). */
  private whenRecorded(id: string, outcome: ToolOutcome, recorded: Promise<number>, before: () => void = () => undefined): void {
    void recorded.then(
      (rseq) => {
        before();
        this.sendResult(rseq, id, outcome);
      },
      (error: unknown) => this.log("journal.write_failed", { id, message: error instanceof Error ? error.message : String(error) }),
    );
  }
}
