import { socketState } from "./socket-state.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { encodeCalls } from "../../shared/tunnel/batch-frames.js";
import { BATCH_VERSION, type Call } from "../../shared/tunnel/protocol.js";
import { capabilitySigner } from "./capability-signer.js";
import type { FloodGuard } from "./flood-guard.js";
import { armAlarm, CALL_GRACE_MS } from "./hub-deadlines.js";
import type { Delivery, SubmitResult } from "./hub-types.js";
import { deliverLate } from "./late-delivery.js";
import * as outbox from "./outbox.js";
import type { OutboxCall } from "./outbox.js";

/** Calls signed and sent together before the hub yields (see `send`). */
const SEND_CHUNK = 100;

/** Lets the runtime run its queue (and flush what this event already sent) before going on. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Getting calls to the runner and outcomes back to their senders: signs and sends outbox calls
 * in order, keeps the callers that wait for an outcome, and delivers late what nobody waits for.
 * Waiting callers live in memory only: after a restart every outcome is delivered late.
 */
export class CallDelivery implements Delivery {
  private readonly waiters = new Map<string, (outcome: ToolOutcome) => void>();
  private sendChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly sql: SqlStorage,
    private readonly flood: FloodGuard,
  ) {}

  /** Waits for a call's outcome; after `waitMs` the caller is released and the result is delivered late. */
  waitFor(id: string, waitMs: number): Promise<SubmitResult> {
    return new Promise<SubmitResult>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve({ status: "running", callId: id });
      }, waitMs);
      this.waiters.set(id, (outcome) => {
        clearTimeout(timer);
        resolve({ status: "done", callId: id, outcome });
      });
    });
  }

  /**
   * Signs and sends calls in order, through one chain so a drain and new calls never interleave.
   * A long list (a reconnect's drain) goes in chunks: each chunk is signed together, sent as v4
   * `calls` batches (one frame per call to an older runner), and the hub yields before the next
   * chunk, so the runtime puts this one on the wire while the next is signed.
   */
  send(socket: WebSocket, calls: OutboxCall[]): Promise<void> {
    this.sendChain = this.sendChain.then(async () => {
      const signer = await capabilitySigner(this.env);
      let latestDeadline = 0;
      // Per session, the deadline the next call queues behind (one look-up per session per batch).
      const sessionDeadlines = new Map<string, number>();
      for (let from = 0; from < calls.length; from += SEND_CHUNK) {
        if (from > 0) await nextTurn();
        const state = socketState(socket);
        if (state?.phase !== "ready") return;
        const chunk = calls.slice(from, from + SEND_CHUNK);
        const capabilities = await Promise.all(chunk.map((call) => signer.sign(state.runner, call.id, call)));
        if (socketState(socket)?.phase !== "ready") return;
        // A cancel, a deadline or an ack may have come while signing: only calls still waiting go.
        const waiting = outbox.stillUnsent(
          this.sql,
          chunk.map((call) => call.seq),
        );
        const frames: Call[] = [];
        for (const [index, call] of chunk.entries()) {
          if (!waiting.has(call.seq)) continue;
          const now = Date.now();
          const behind = sessionDeadlines.get(call.session) ?? outbox.sessionDeadline(this.sql, call.session, call.seq) ?? 0;
          const deadline = Math.max(now, behind) + call.timeoutMs + CALL_GRACE_MS;
          sessionDeadlines.set(call.session, deadline);
          outbox.markSent(this.sql, call.seq, now, deadline);
          latestDeadline = Math.max(latestDeadline, deadline);
          this.flood.credit(socket);
          const { seq, id, session, request, timeoutMs } = call;
          frames.push({ type: "call", seq, id, session, request, timeoutMs, capability: capabilities[index] });
        }
        try {
          for (const frame of encodeCalls(frames, (state.version ?? 2) >= BATCH_VERSION)) socket.send(frame);
        } catch {
          return; // the socket went away; the calls stay unacknowledged and go out on the next connection
        }
      }
      if (latestDeadline) await armAlarm(this.ctx, this.sql, latestDeadline);
    });
    this.sendChain = this.sendChain.catch((error: unknown) =>
      console.error(JSON.stringify({ event: "tunnel.send_failed", error: String(error) })),
    );
    return this.sendChain;
  }

  /** Hands a finished call's outcome to whoever waits for it: the caller if still there, else late delivery. */
  complete(call: OutboxCall): void {
    const outcome = call.outcome;
    if (!outcome) return;
    const waiter = this.waiters.get(call.id);
    if (waiter) {
      this.waiters.delete(call.id);
      outbox.markDelivered(this.sql, call.id);
      waiter(outcome);
      return;
    }
    const delivery = deliverLate(this.env, call.replyTo, call.id, call.label, outcome).then((ok) => {
      if (ok && call.replyTo?.channel !== "console") outbox.markDelivered(this.sql, call.id);
    });
    this.ctx.waitUntil(delivery);
  }
}
