import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import type { Result } from "../../shared/tunnel/protocol.js";
import type { HubHost } from "./hub-types.js";
import * as outbox from "./outbox.js";
import type { OutboxCall } from "./outbox.js";
import { audit } from "./tunnel-audit.js";

/**
 * Stores a burst of results from the runner (one `result` frame, or a v4 `results` batch): every
 * outcome and the result counter in one SQLite transaction, then one ack for the highest seq, then
 * each sender is told. The runtime holds the ack until the transaction is durable (output gate),
 * so an acknowledged result is never lost; a result already finished (a resend after a lost ack,
 * a late answer to a timed-out call) changes nothing and tells nobody twice.
 */
export function storeResults(host: HubHost, socket: WebSocket, runner: string, results: Result[]): void {
  const { ctx, sql, delivery } = host;
  const { done, highest } = ctx.storage.transactionSync(() => {
    const finished: OutboxCall[] = [];
    let seq = outbox.counter(sql, "result_ack");
    for (const result of results) {
      const call = outbox.finish(sql, result.id, result.outcome);
      if (call) finished.push(call);
      seq = Math.max(seq, result.seq);
    }
    outbox.setCounter(sql, "result_ack", seq);
    return { done: finished, highest: Math.max(...results.map((result) => result.seq)) };
  });
  // Stored (or already finished): either way the runner may forget every one of them.
  socket.send(encodeFrame({ type: "ack", seq: highest }));
  for (const call of done) {
    const outcome = call.outcome;
    if (outcome && !outcome.ok && outcome.error.code === "capability_refused") {
      audit(host, runner, "tunnel.capability_refused", `${call.id}: ${outcome.error.message}`);
    }
    delivery.complete(call);
  }
}
