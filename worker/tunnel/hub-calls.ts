import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import { signerOrError } from "./hub-keys.js";
import { armAlarm } from "./hub-deadlines.js";
import { readSettings } from "./hub-settings.js";
import { failure, readySocket, type CallView, type HubHost, type SubmitInput, type SubmitResult } from "./hub-types.js";
import * as outbox from "./outbox.js";
import type { OutboxCall } from "./outbox.js";
import { countAllKeys, liveKeys } from "./runner-keys.js";
import { movedCall, rememberRoute } from "./failover-store.js";
import { failOver, resubmitMoved } from "./failover.js";
import { followSession } from "./failover-follow.js";

/**
 * Writes the call to the outbox, sends it if the runner is connected, and waits up to
 * `waitMs` for the result. Never hangs: an unknown runner, a full queue or a missing signing
 * key answers at once; an offline runner answers "queued"; a slow call answers "running".
 */
export async function submit(host: HubHost, input: SubmitInput): Promise<SubmitResult> {
  const { ctx, env, sql, delivery } = host;
  const existing = outbox.findCall(sql, input.callId);
  if (existing) return resubmitted(host, existing, input.waitMs);
  if (!input.callId.startsWith(`${input.runner}_`)) {
    return { status: "done", callId: null, outcome: failure("bad_request", "the call id does not name this runner") };
  }
  if (countAllKeys(sql) === 0) {
    return {
      status: "done",
      callId: null,
      outcome: failure(
        "runner_unknown",
        `The home runner is offline: no runner named "${input.runner}" is registered, so nothing ran. Register one with \`drawbridge runner register\`.`,
      ),
    };
  }
  if (liveKeys(sql).length === 0) {
    return { status: "done", callId: null, outcome: failure("runner_revoked", `Runner "${input.runner}" has no live key (revoked).`) };
  }
  const signer = await signerOrError(env);
  if (!signer.ok) return { status: "done", callId: null, outcome: failure(signer.code, signer.message) };
  const settings = readSettings(sql);
  const counts = outbox.countPending(sql);
  if (counts.queued + counts.inFlight >= settings.queueLimit) {
    return {
      status: "done",
      callId: null,
      outcome: failure("queue_full", `The queue for runner "${input.runner}" is full (${settings.queueLimit} calls); nothing was queued.`),
    };
  }
  const now = Date.now();
  const call = outbox.enqueue(
    sql,
    {
      id: input.callId,
      session: input.session,
      request: input.request,
      timeoutMs: input.timeoutMs,
      replyTo: input.replyTo,
      label: input.label.slice(0, 200),
      expiresAt: now + settings.queueTtlSeconds * 1000,
    },
    now,
  );
  rememberRoute(sql, call.id, input.fallbacks ?? [], input.failoverAfterMs ?? 0);
  // Behind calls of its session that failed over and still wait there, it goes there too (failover-follow.ts).
  const following = followSession(host, call, { id: call.id, waitMs: input.waitMs });
  const followed = following ? await following : null;
  if (followed) return followed;
  const socket = readySocket(ctx);
  if (!socket) {
    // A route that lists more runners may move it (and the calls before it) to the next online one.
    const moved = input.fallbacks?.length ? await failOver(host, { id: call.id, waitMs: input.waitMs }) : null;
    if (moved?.answer) return moved.answer;
    await armAlarm(ctx, sql, Math.min(call.expiresAt, moved?.dueAt ?? Infinity));
    return { status: "queued", callId: call.id, expiresAt: call.expiresAt };
  }
  const result = delivery.waitFor(call.id, input.waitMs);
  // eslint-disable-next-line @typescript-eslint/no-floating-promises -- send() ends its chain in a .catch that logs tunnel.send_failed: it never rejects
  void delivery.send(socket, [call]);
  return result;
}

/** A submit retried after a transient error: the call is already in the outbox, so it is not added twice. */
async function resubmitted(host: HubHost, call: OutboxCall, waitMs: number): Promise<SubmitResult> {
  const moved = movedCall(host.sql, call.id);
  const forwarded = moved ? await resubmitMoved(host, moved, waitMs) : null;
  if (forwarded) return forwarded;
  if (call.state === "done" && call.outcome) return { status: "done", callId: call.id, outcome: call.outcome };
  if (!readySocket(host.ctx)) return { status: "queued", callId: call.id, expiresAt: call.expiresAt };
  return host.delivery.waitFor(call.id, waitMs);
}

/** A call as `GET /api/calls/:id` shows it; reading a finished call counts as delivering it. */
export function callView(sql: SqlStorage, id: string): CallView | null {
  const call = outbox.findCall(sql, id);
  if (!call) return null;
  if (call.state === "done" && call.deliveredAt === null) outbox.markDelivered(sql, id);
  return {
    id: call.id,
    runner: readSettings(sql).runner ?? "",
    state: call.state,
    queued: call.state === "pending" && !call.acked,
    createdAt: call.createdAt,
    expiresAt: call.expiresAt,
    finishedAt: call.finishedAt,
    outcome: call.outcome,
  };
}

/** Cancels a pending call: it will not start (if the runner has not started it) and its sender is told. */
export function cancel(host: HubHost, id: string): CallView | null {
  const done = outbox.finish(host.sql, id, failure("call_cancelled", "The call was cancelled before it finished."));
  if (done) {
    readySocket(host.ctx)?.send(encodeFrame({ type: "cancel", id }));
    host.delivery.complete(done);
  }
  return callView(host.sql, id);
}
