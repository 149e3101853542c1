import { encodeResults } from "../../shared/tunnel/batch-frames.js";
import type { Result } from "../../shared/tunnel/protocol.js";

/**
 * Collects the results that are ready in one turn of the event loop (those one journal fsync made
 * durable, or a reconnect's resend) so they leave in as few frames as the gateway takes.
 */
export class ResultBatcher {
  private pending: Result[] = [];
  private scheduled = false;

  /** Queues a result; `flush` runs once, after every result ready in this turn has been added. */
  add(result: Result, flush: () => void): void {
    this.pending.push(result);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      flush();
    });
  }

  /** The queued results as encoded frames, oldest first (`batches`: the gateway speaks v4); the queue is emptied. */
  take(batches: boolean): string[] {
    const results = this.pending;
    this.pending = [];
    return encodeResults(results, batches);
  }
}
