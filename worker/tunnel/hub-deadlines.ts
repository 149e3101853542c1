import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import { failure, readySocket, type HubHost } from "./hub-types.js";
import * as outbox from "./outbox.js";
import { pruneReplayGuard } from "./replay-guard.js";
import { nextSocketDeadline, sweepSockets } from "./socket-sweep.js";
import { checkOutage, nextAlertDue } from "./runner-alerts.js";

export { AUTH_DEADLINE_MS } from "./socket-sweep.js";
/** Slack on top of the tool's own timeout before the gateway gives up on a sent call. */
export const CALL_GRACE_MS = 5_000;

/** The hub's alarm: unauthenticated and unanswered closing sockets (socket-sweep.ts), queue TTLs, calls the runner did not answer; then housekeeping. */
export async function enforceDeadlines(host: HubHost): Promise<void> {
  const { ctx, sql, delivery } = host;
  const now = Date.now();
  sweepSockets(host, host.socketNow());
  for (const call of outbox.expiredCalls(sql, now)) {
    const minutes = Math.max(1, Math.round((call.expiresAt - call.createdAt) / 60_000));
    const done = outbox.finish(
      sql,
      call.id,
      failure("call_expired", `Expired: the home runner stayed offline for ${minutes} min, so this call never ran.`),
    );
    if (done) delivery.complete(done);
  }
  const ready = readySocket(ctx);
  for (const call of outbox.overdueCalls(sql, now)) {
    const done = outbox.finish(
      sql,
      call.id,
      failure(
        "runner_timeout",
        `The home runner did not answer within ${Math.round((call.timeoutMs + CALL_GRACE_MS) / 1000)}s; the call was cancelled.`,
      ),
    );
    if (done) {
      ready?.send(encodeFrame({ type: "cancel", id: call.id }));
      delivery.complete(done);
    }
  }
  pruneReplayGuard(sql, now);
  outbox.pruneDone(sql, now);
  await checkOutage(host);
  await armAlarm(ctx, sql, nextAlertDue(host) ?? undefined, host.socketNow());
}

/** Sets the alarm to the earliest thing that needs attention (or `at`, if earlier); `socketNow` is the hub's socket clock (HubHost). */
export async function armAlarm(ctx: DurableObjectState, sql: SqlStorage, at?: number, socketNow = Date.now()): Promise<void> {
  const candidates = [at, outbox.nextDue(sql) ?? undefined, nextSocketDeadline(ctx, socketNow)];
  const due = Math.min(...candidates.filter((t): t is number => typeof t === "number"));
  if (!Number.isFinite(due)) return;
  const current = await ctx.storage.getAlarm();
  if (current === null || due < current || current < Date.now() - 1000) await ctx.storage.setAlarm(due);
}
