/**
 * Which waiting calls leave an offline runner, and for which runner (worker/tunnel/failover.ts
 * carries the moves out). Pure, so the rules are tested on their own:
 * - only a call never sent moves: a sent one may be in the runner's journal, and moving it
 *   could run it twice;
 * - only once the runner has been offline the route's `failoverAfterMs`, and only to the first
 *   runner of the route's list that is online now;
 * - a session's calls stay in order: once one of its calls stays (sent, or with nowhere to go),
 *   or goes elsewhere, every later call of that session stays too.
 */

/** A call still pending in a runner's outbox, in queue order. */
export type WaitingCall = {
  id: string;
  session: string;
  /** Sent to the runner at least once: it may be in the runner's journal. */
  sent: boolean;
  /** The runners after this one on the call's route, in order. */
  fallbacks: readonly string[];
  failoverAfterMs: number;
};

export type FailoverView = {
  now: number;
  /** When this runner went offline; null while it is connected. */
  offlineSince: number | null;
  /** The other runners connected now. */
  online: ReadonlySet<string>;
};

export type Move = { id: string; to: string; fallbacks: string[] };

export type FailoverPlan = {
  moves: Move[];
  /** The earliest time a call that stays may move (its runner not offline long enough yet), if any. */
  dueAt: number | null;
  /** A call is due to move but none of its runners is online: look again later. */
  stranded: boolean;
};

export function planFailover(calls: readonly WaitingCall[], view: FailoverView): FailoverPlan {
  const moves: Move[] = [];
  let dueAt: number | null = null;
  let stranded = false;
  // Per session: the runner its earlier calls go to, or null once one of them stays.
  const sessions = new Map<string, string | null>();
  for (const call of calls) {
    const target = targetOf(call, view);
    if (target.kind === "later") dueAt = Math.min(dueAt ?? target.at, target.at);
    if (target.kind === "stranded") stranded = true;
    const earlier = sessions.get(call.session);
    const to = target.kind === "move" && (earlier === undefined || earlier === target.to) ? target.to : null;
    sessions.set(call.session, to);
    if (to !== null) moves.push({ id: call.id, to, fallbacks: call.fallbacks.slice(call.fallbacks.indexOf(to) + 1) });
  }
  return { moves, dueAt, stranded };
}

type Target = { kind: "stay" } | { kind: "later"; at: number } | { kind: "stranded" } | { kind: "move"; to: string };

function targetOf(call: WaitingCall, view: FailoverView): Target {
  if (call.sent || call.fallbacks.length === 0 || view.offlineSince === null) return { kind: "stay" };
  const at = view.offlineSince + call.failoverAfterMs;
  if (view.now < at) return { kind: "later", at };
  const to = call.fallbacks.find((runner) => view.online.has(runner));
  return to === undefined ? { kind: "stranded" } : { kind: "move", to };
}
