import { describe, expect, it } from "vitest";
import { planFailover, type WaitingCall } from "../../shared/sessions/failover.js";

const AFTER = 120_000;
const OFFLINE_AT = 1_000_000;

function waiting(id: string, session = "main", more: Partial<WaitingCall> = {}): WaitingCall {
  return { id, session, sent: false, fallbacks: ["office", "spare"], failoverAfterMs: AFTER, ...more };
}

function view(now: number, online: string[] = ["office"], offlineSince: number | null = OFFLINE_AT) {
  return { now, offlineSince, online: new Set(online) };
}

describe("failover: which waiting calls leave an offline runner", () => {
  it("moves never-sent calls, in queue order, to the first online runner of their route once the runner has been offline long enough", () => {
    const plan = planFailover([waiting("a"), waiting("b", "group:telegram:-1")], view(OFFLINE_AT + AFTER));
    expect(plan.moves).toEqual([
      { id: "a", to: "office", fallbacks: ["spare"] },
      { id: "b", to: "office", fallbacks: ["spare"] },
    ]);
  });

  it("moves nothing before the time is up, and says when it will be", () => {
    const plan = planFailover([waiting("a")], view(OFFLINE_AT + AFTER - 1));
    expect(plan).toEqual({ moves: [], dueAt: OFFLINE_AT + AFTER, stranded: false });
  });

  it("moves nothing while the runner is connected", () => {
    expect(planFailover([waiting("a")], view(OFFLINE_AT + 10 * AFTER, ["office"], null)).moves).toEqual([]);
  });

  it("never moves a call already sent: it may be in the first runner's journal", () => {
    const plan = planFailover([waiting("sent", "s1", { sent: true }), waiting("fresh", "s2")], view(OFFLINE_AT + AFTER));
    expect(plan.moves.map((move) => move.id)).toEqual(["fresh"]);
  });

  it("keeps a session's calls in order: behind a call that stays, every later call of that session stays", () => {
    const calls = [waiting("s1-sent", "s1", { sent: true }), waiting("s1-next", "s1"), waiting("s2-next", "s2")];
    expect(planFailover(calls, view(OFFLINE_AT + AFTER)).moves.map((move) => move.id)).toEqual(["s2-next"]);
    // A call with no route past this runner holds its session too.
    const mixed = [waiting("a", "s1"), waiting("pinned", "s1", { fallbacks: [] }), waiting("c", "s1")];
    expect(planFailover(mixed, view(OFFLINE_AT + AFTER)).moves.map((move) => move.id)).toEqual(["a"]);
  });

  it("skips runners that are offline too, and waits (stranded) when none of them is online", () => {
    expect(planFailover([waiting("a")], view(OFFLINE_AT + AFTER, ["spare"])).moves).toEqual([{ id: "a", to: "spare", fallbacks: [] }]);
    expect(planFailover([waiting("a")], view(OFFLINE_AT + AFTER, []))).toEqual({ moves: [], dueAt: null, stranded: true });
  });

  it("a session's calls never split between two runners", () => {
    const calls = [waiting("a", "s1", { fallbacks: ["office"] }), waiting("b", "s1", { fallbacks: ["spare"] })];
    expect(planFailover(calls, view(OFFLINE_AT + AFTER, ["office", "spare"])).moves.map((move) => move.id)).toEqual(["a"]);
  });

  it("each call waits its own route's time", () => {
    const calls = [waiting("slow", "s1", { failoverAfterMs: 10 * AFTER }), waiting("quick", "s2")];
    const plan = planFailover(calls, view(OFFLINE_AT + AFTER));
    expect(plan.moves.map((move) => move.id)).toEqual(["quick"]);
    expect(plan.dueAt).toBe(OFFLINE_AT + 10 * AFTER);
  });
});
