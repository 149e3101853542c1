import { planFailover, type Move } from "../../shared/sessions/failover.js";
import { hubStub } from "../objects/stubs.js";
import type { AdoptAnswer, AdoptedCall } from "./call-adopt.js";
import * as store from "./failover-store.js";
import { armAlarm } from "./hub-deadlines.js";
import { readSettings } from "./hub-settings.js";
import { readySocket, type HubHost, type SubmitResult } from "./hub-types.js";
import * as outbox from "./outbox.js";
import type { OutboxCall } from "./outbox.js";
import { audit } from "./tunnel-audit.js";

/** How soon a move the next hub did not confirm, or a call with no runner online to go to, is tried again. */
export const FAILOVER_RECHECK_MS = 10_000;

export type Wait = { id: string; waitMs: number };

/**
 * Moves this hub's never-sent calls to the next online runner of their route once this runner
 * has been offline long enough (shared/sessions/failover.ts decides which). A move cannot lose
 * or double a call, even if it stops midway: the call is taken off this queue (state 'moved')
 * in the write that checks it was never sent; the next hub adds it under the same id, or finds
 * it held already; only then is the move confirmed here. Unconfirmed moves are retried (the
 * alarm). Returns the answer for `wait` if that call moved, and when to look again.
 */
export async function failOver(host: HubHost, wait: Wait | null = null): Promise<{ answer: SubmitResult | null; dueAt: number | null }> {
  const { sql, ctx } = host;
  const retries = store.unconfirmedMoves(sql);
  let answer = await handOver(
    host,
    retries.map(({ call, to, fallbacks }) => ({ call, move: { id: call.id, to, fallbacks } })),
    wait,
  );
  if (readySocket(ctx) || !store.hasRoutedWaiting(sql)) return { answer, dueAt: recheck(host) };
  // A session with a move not yet confirmed waits for it: its later calls must not reach the next runner first.
  const unsettled = () => new Set(store.unconfirmedMoves(sql).map(({ call }) => call.session));
  const movable = () => {
    const held = unsettled();
    return store.waitingCalls(sql).filter((call) => !held.has(call.session));
  };
  const waiting = movable();
  const view = { now: host.now(), offlineSince: store.offlineSince(sql, false), online: new Set<string>() };
  const first = planFailover(waiting, view);
  if (!first.stranded) return { answer, dueAt: earliest(first.dueAt, recheck(host)) };
  // Calls are due to move: which of their runners are online (the other hubs' status, asked in parallel)?
  const online = await onlineRunners(host.env, new Set(waiting.flatMap((call) => call.fallbacks)));
  const plan = planFailover(movable(), { ...view, now: host.now(), online });
  // The runner may have come back while the others were asked: then nothing moves.
  if (readySocket(ctx)) return { answer, dueAt: recheck(host) };
  const now = host.now();
  const taken = plan.moves.flatMap((move) => {
    const call = outbox.findCall(sql, move.id);
    return call && store.markMoved(sql, move.id, move.to, now) ? [{ call, move }] : [];
  });
  if (taken.length > 0) {
    auditMoves(host, taken, view.offlineSince, now);
    await armAlarm(ctx, sql, Date.now() + FAILOVER_RECHECK_MS); // a stop from here on leaves the moves for the alarm
    answer = (await handOver(host, taken, wait)) ?? answer;
  }
  return { answer, dueAt: earliest(plan.dueAt, plan.stranded ? now + FAILOVER_RECHECK_MS : null, recheck(host)) };
}

/** A submit retried for a call that already moved: handed over again (the next hub finds it held) for its answer. */
export async function resubmitMoved(host: HubHost, moved: store.MovedCall, waitMs: number): Promise<SubmitResult | null> {
  const call = outbox.findCall(host.sql, moved.id);
  if (!call) return null;
  return handOver(host, [{ call, move: { id: moved.id, to: moved.to, fallbacks: moved.fallbacks } }], { id: moved.id, waitMs });
}

/** Hands the taken calls to their runners' hubs, one batch per runner; confirms what each holds, reopens what it refused. */
export async function handOver(host: HubHost, taken: { call: OutboxCall; move: Move }[], wait: Wait | null): Promise<SubmitResult | null> {
  const { sql } = host;
  const self = readSettings(sql).runner ?? "";
  let answer: SubmitResult | null = null;
  for (const to of new Set(taken.map(({ move }) => move.to))) {
    const batch = taken.filter(({ move }) => move.to === to);
    const waitFor = wait && batch.some(({ call }) => call.id === wait.id) ? wait : null;
    let result: AdoptAnswer;
    try {
      result = await hubStub(host.env, to).adoptCalls({
        from: self,
        calls: batch.map(({ call, move }) => adopted(call, move, self, store.failoverAfterMs(sql, call.id))),
        waitFor: waitFor?.id ?? null,
        waitMs: waitFor?.waitMs ?? 0,
      });
    } catch (error) {
      console.error(JSON.stringify({ event: "tunnel.failover_retry", runner: self, to, error: String(error) }));
      continue; // still taken, not confirmed: retried by the alarm
    }
    const now = host.now();
    for (const id of result.held) store.confirmMoved(sql, id, now);
    for (const refused of result.refused) store.reopen(sql, refused.id);
    if (result.refused.length > 0) {
      console.warn(JSON.stringify({ event: "tunnel.failover_refused", runner: self, to, refused: result.refused }));
    }
    if (waitFor && result.answer) answer = { ...result.answer, movedTo: to };
  }
  return answer;
}

/** One audit event per runner the calls move to, when they are taken off this queue (a retried hand-over is not a second move). */
function auditMoves(host: HubHost, taken: { call: OutboxCall; move: Move }[], offlineSince: number | null, now: number): void {
  const self = readSettings(host.sql).runner ?? "";
  const seconds = offlineSince ? Math.max(1, Math.round((now - offlineSince) / 1000)) : 0;
  const gone = seconds === 0 ? "never connected" : seconds < 120 ? `offline ${seconds} s` : `offline ${Math.round(seconds / 60)} min`;
  for (const to of new Set(taken.map(({ move }) => move.to))) {
    const ids = taken.filter(({ move }) => move.to === to).map(({ call }) => call.id);
    const calls = ids.length === 1 ? "call" : "calls";
    audit(host, self, "runner.failover", `${ids.length} never-sent ${calls} moved to runner "${to}" (${gone}): ${ids.join(", ")}`);
  }
}

function adopted(call: OutboxCall, move: Move, from: string, afterMs: number): AdoptedCall {
  return {
    id: call.id,
    session: call.session,
    request: call.request,
    timeoutMs: call.timeoutMs,
    replyTo: call.replyTo,
    // A late reply quotes the label: it names the runner that served.
    label: `${call.label} — on runner "${move.to}" (failover from "${from}")`.slice(0, 200),
    expiresAt: call.expiresAt,
    fallbacks: move.fallbacks,
    failoverAfterMs: afterMs,
  };
}

async function onlineRunners(env: Env, names: Set<string>): Promise<Set<string>> {
  const answers = await Promise.all(
    [...names].map(async (name) => {
      try {
        return (await hubStub(env, name).status(name)).connected ? name : null;
      } catch {
        return null;
      }
    }),
  );
  return new Set(answers.filter((name): name is string => name !== null));
}

function recheck(host: HubHost): number | null {
  return store.unconfirmedMoves(host.sql).length > 0 ? host.now() + FAILOVER_RECHECK_MS : null;
}

function earliest(...times: (number | null)[]): number | null {
  const known = times.filter((time): time is number => time !== null);
  return known.length === 0 ? null : Math.min(...known);
}
