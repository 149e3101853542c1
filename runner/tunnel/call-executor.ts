import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import type { CallJournal } from "../journal/call-journal.js";

export type CallRunner = (call: Call) => Promise<ToolOutcome>;
export type CallVerifier = (call: Call) => Promise<{ ok: true } | { ok: false; reason: string }>;
export type ResultSink = (rseq: number, id: string, outcome: ToolOutcome) => void;
export type ExecutorLog = (event: string, fields?: Record<string, unknown>) => void;

function refused(message: string): ToolOutcome {
  return { ok: false, error: { code: "capability_refused", message } };
}

/**
 * Turns delivered calls into at-most-once executions. `admit` runs in arrival order (the client
 * chains it) and resolves once the call is durably journaled, so the ack that follows is true.
 * Calls of one session run one after another, in order; different sessions run side by side.
 */
export class CallExecutor {
  private readonly sessions = new Map<string, Promise<void>>();
  private readonly cancelled = new Set<string>();
  private readonly running = new Set<string>();

  constructor(
    private readonly journal: CallJournal,
    private readonly verify: CallVerifier,
    private readonly run: CallRunner,
    private readonly sendResult: ResultSink,
    private readonly log: ExecutorLog,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  async admit(call: Call): Promise<void> {
    const known = this.journal.get(call.id);
    if (known) return this.redelivered(call, known.result);
    const check = await this.verify(call);
    await this.journal.received(call.id, call.seq);
    if (!check.ok) {
      this.log("call.refused", { id: call.id, reason: check.reason });
      const outcome = refused(`The runner refused this call: ${check.reason}.`);
      this.sendResult(await this.journal.finish(call.id, outcome), call.id, outcome);
      return;
    }
    this.log("call.received", { id: call.id, seq: call.seq, tool: call.request.tool, session: call.session });
    this.running.add(call.id);
    const previous = this.sessions.get(call.session) ?? Promise.resolve();
    const next = previous.then(() => this.execute(call));
    this.sessions.set(call.session, next);
    void next.finally(() => {
      if (this.sessions.get(call.session) === next) this.sessions.delete(call.session);
    });
  }

  /** The gateway gave up on the call: if it has not started, it never will. */
  cancel(id: string): void {
    if (this.running.has(id)) this.cancelled.add(id);
  }

  private redelivered(call: Call, result: { rseq: number; outcome: ToolOutcome } | null): void {
    if (!result) return; // still running here: its result follows
    if (this.journal.isAcked(result.rseq)) {
      // The gateway already stored this result, so a second delivery is not a resend: it is a replay.
      this.log("call.replay_refused", { id: call.id });
      this.sendResult(
        this.journal.allocateRseq(),
        call.id,
        refused("this call already ran and its result was delivered; a replay is refused"),
      );
      return;
    }
    this.log("call.result_resent", { id: call.id });
    this.sendResult(result.rseq, call.id, result.outcome);
  }

  private async execute(call: Call): Promise<void> {
    let outcome: ToolOutcome;
    if (this.cancelled.has(call.id)) {
      outcome = { ok: false, error: { code: "call_cancelled", message: "The call was cancelled before it started; it did not run." } };
    } else {
      await this.journal.started(call.id);
      this.log("call.started", { id: call.id, tool: call.request.tool, session: call.session });
      outcome = await this.run(call).catch((error: unknown): ToolOutcome => ({
        ok: false,
        error: {
          code: "tool_failed",
          message: `the runner could not run the call: ${error instanceof Error ? error.message : String(error)}`,
        },
      }));
    }
    const rseq = await this.journal.finish(call.id, outcome);
    this.running.delete(call.id);
    this.cancelled.delete(call.id);
    this.log("call.finished", { id: call.id, ok: outcome.ok });
    this.sendResult(rseq, call.id, outcome);
  }
}
