import { socketState } from "./socket-state.js";
import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import { CloseCode } from "../../shared/tunnel/protocol.js";
import { closeSocket, failure, readySocket, type HubHost } from "./hub-types.js";
import * as outbox from "./outbox.js";
import { pruneReplayGuard } from "./replay-guard.js";
import { audit } from "./tunnel-audit.js";
import { checkOutage, nextAlertDue } from "./runner-alerts.js";

/** An unauthenticated socket is closed after this long. */
export const AUTH_DEADLINE_MS = 10_000;
/** Slack on top of the tool's own timeout before the gateway gives up on a sent call. */
export const CALL_GRACE_MS = 5_000;

/** The hub's alarm: unauthenticated sockets, queue TTLs, calls the runner did not answer; then housekeeping. */
export async function enforceDeadlines(host: HubHost): Promise<void> {
  const { ctx, sql, delivery } = host;
  const now = Date.now();
  for (const socket of ctx.getWebSockets()) {
    const state = socketState(socket);
    if (state?.phase === "challenged" && now - state.openedAt >= AUTH_DEADLINE_MS) {
      audit(host, state.runner, "tunnel.auth_timeout", "no hello within the deadline");
      closeSocket(socket, { code: "unauthorized", message: "no hello within the deadline" }, CloseCode.authTimeout);
    }
  }
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
  await armAlarm(ctx, sql, nextAlertDue(host) ?? undefined);
}

/** Sets the alarm to the earliest thing that needs attention (or `at`, if earlier). */
export async function armAlarm(ctx: DurableObjectState, sql: SqlStorage, at?: number): Promise<void> {
  const candidates = [at, outbox.nextDue(sql) ?? undefined];
  for (const socket of ctx.getWebSockets()) {
    const state = socketState(socket);
    if (state?.phase === "challenged") candidates.push(state.openedAt + AUTH_DEADLINE_MS);
  }
  const due = Math.min(...candidates.filter((t): t is number => typeof t === "number"));
  if (!Number.isFinite(due)) return;
  const current = await ctx.storage.getAlarm();
  if (current === null || due < current || current < Date.now() - 1000) await ctx.storage.setAlarm(due);
}
