import { hubStub } from "../objects/stubs.js";
import * as store from "./failover-store.js";
import { handOver, type Wait } from "./failover.js";
import { readSettings } from "./hub-settings.js";
import type { HubHost, SubmitResult } from "./hub-types.js";
import type { OutboxCall } from "./outbox.js";
import { audit } from "./tunnel-audit.js";

/**
 * A session's calls run in order, also across a failover: while calls of a session that moved
 * to another runner are still pending there, a new call of that session follows them — even if
 * this runner is back — instead of running here before them. Only a call just written, never
 * sent, follows; once the moved calls are done, the session's calls are this runner's again.
 * Null (synchronously) for a session with no such calls: the usual case costs one look-up.
 */
export function followSession(host: HubHost, call: OutboxCall, wait: Wait): Promise<SubmitResult | null> | null {
  const last = store.lastMoveOfSession(host.sql, call.session);
  return last ? follow(host, call, last, wait) : null;
}

async function follow(host: HubHost, call: OutboxCall, last: { id: string; to: string }, wait: Wait): Promise<SubmitResult | null> {
  const { sql } = host;
  let pendingThere: boolean;
  try {
    const view = await hubStub(host.env, last.to).getCall(last.id);
    pendingThere = view?.state === "pending";
    if (!pendingThere) store.settleMoved(sql, last.id, host.now());
  } catch {
    pendingThere = true; // not known: following keeps the order, staying might break it
  }
  if (!pendingThere || !store.markMoved(sql, call.id, last.to, host.now())) return null;
  const self = readSettings(sql).runner ?? "";
  audit(host, self, "runner.failover", `1 never-sent call moved to runner "${last.to}" behind its session's calls there: ${call.id}`);
  const answer = await handOver(host, [{ call, move: { id: call.id, to: last.to, fallbacks: [] } }], wait);
  if (answer) return answer;
  // Not handed over yet (the alarm retries it): it is no longer this hub's to send. Refused: it is again.
  return store.movedCall(sql, call.id) ? { status: "queued", callId: call.id, expiresAt: call.expiresAt, movedTo: last.to } : null;
}
