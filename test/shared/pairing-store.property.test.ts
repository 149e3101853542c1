import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newPairingCode, normalisePairingCode, PAIRING_ALPHABET } from "../../shared/access/pairing-code.js";
import { MemoryPairingRows, PairingStore, type DecideOutcome } from "../../shared/access/pairing-store.js";
import { constantTimeEqual } from "../../shared/constant-time.js";

const CAP = 3;
const TTL = 60 * 60 * 1000;
const ACCOUNTS = ["telegram:1", "telegram:2"];

/** The simple model: a list of requests per account; live = pending and younger than the TTL. */
type ModelRequest = { account: string; sender: string; code: string; createdAt: number; status: "pending" | "approved" | "denied" };

type Op =
  | { kind: "request"; account: number; sender: number }
  | { kind: "decide"; action: "approve" | "deny"; account: number; pick: number; variant: "exact" | "lower" | "wrong" }
  | { kind: "advance"; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("request" as const), account: fc.nat(1), sender: fc.nat(5) }),
  fc.record({
    kind: fc.constant("decide" as const),
    action: fc.constantFrom("approve" as const, "deny" as const),
    account: fc.nat(1),
    pick: fc.nat(20),
    variant: fc.constantFrom("exact" as const, "lower" as const, "wrong" as const),
  }),
  fc.record({
    kind: fc.constant("advance" as const),
    ms: fc.oneof(fc.integer({ min: 0, max: 10 * 60_000 }), fc.constant(TTL), fc.constant(TTL - 1)),
  }),
);

function setup(equal: (a: string, b: string) => Promise<boolean> = constantTimeEqual) {
  const clock = { now: 1_000_000 };
  const store = new PairingStore(new MemoryPairingRows(), {
    maxPending: CAP,
    ttlMs: TTL,
    clock: () => clock.now,
    newCode: () => newPairingCode(),
    equal,
  });
  return { clock, store };
}

const isLive = (request: ModelRequest, now: number) => request.status === "pending" && now - request.createdAt < TTL;

function checkInvariants(store: PairingStore) {
  for (const account of ACCOUNTS) {
    const live = store.live(account);
    expect(live.length).toBeLessThanOrEqual(CAP);
    expect(new Set(live.map((request) => request.senderId)).size).toBe(live.length);
  }
}

function wrongCode(taken: string[]): string {
  for (;;) {
    const code = newPairingCode();
    if (!taken.includes(code)) return code;
  }
}

describe("pairing codes", () => {
  it("are 8 characters from the unambiguous alphabet, and every letter turns up", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = newPairingCode();
      expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
      for (const letter of code) seen.add(letter);
    }
    expect([...seen].sort().join("")).toBe([...PAIRING_ALPHABET].sort().join(""));
  });

  it("map every byte value to a letter exactly 8 times (no modulo bias)", () => {
    const counts = new Map<string, number>();
    for (let byte = 0; byte < 256; byte++) {
      const letter = newPairingCode(() => new Uint8Array(8).fill(byte))[0]!;
      counts.set(letter, (counts.get(letter) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual(Array(32).fill(8));
  });

  it("normalise case and whitespace, and refuse anything outside the alphabet", () => {
    expect(normalisePairingCode(" abcd2345 ")).toBe("ABCD2345");
    for (const bad of ["ABCD234", "ABCD23456", "ABCD2340", "ABCDI345", "ABCD 345", "ÀBCD2345"])
      expect(normalisePairingCode(bad)).toBeNull();
  });
});

describe("pairing store against a model (acceptance 4)", () => {
  it("agrees with the model on every sequence of requests, decisions and clock moves", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const { clock, store } = setup();
        const model: ModelRequest[] = [];
        for (const step of ops) {
          if (step.kind === "advance") {
            clock.now += step.ms;
          } else if (step.kind === "request") {
            const account = ACCOUNTS[step.account]!;
            const sender = String(100 + step.sender);
            const live = model.filter((request) => request.account === account && isLive(request, clock.now));
            const outcome = store.request(account, sender, `user ${sender}`);
            if (live.some((request) => request.sender === sender)) {
              expect(outcome.kind).toBe("already_pending");
            } else if (live.length >= CAP) {
              expect(outcome.kind).toBe("full");
            } else {
              expect(outcome.kind).toBe("created");
              if (outcome.kind === "created")
                model.push({ account, sender, code: outcome.request.code, createdAt: clock.now, status: "pending" });
            }
          } else {
            const account = ACCOUNTS[step.account]!;
            const target = model.length > 0 ? model[step.pick % model.length]! : undefined;
            const typed =
              step.variant === "wrong" || !target
                ? wrongCode(model.map((r) => r.code))
                : step.variant === "lower"
                  ? target.code.toLowerCase()
                  : target.code;
            const outcome = step.action === "approve" ? await store.approve(account, typed) : await store.deny(account, typed);
            const expected =
              step.variant === "wrong" || !target || target.account !== account
                ? "wrong"
                : target.status !== "pending"
                  ? "used"
                  : clock.now - target.createdAt >= TTL
                    ? "expired"
                    : "ok";
            expect(outcome.ok ? "ok" : outcome.reason).toBe(expected);
            if (outcome.ok && target) target.status = step.action === "approve" ? "approved" : "denied";
          }
          checkInvariants(store);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never approves a code twice, an expired code, or breaks the cap when operations interleave (fc.scheduler)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.oneof(fc.constant("approve"), fc.constant("deny"), fc.constant("request"), fc.constant("advance")), {
          minLength: 2,
          maxLength: 12,
        }),
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        async (s, kinds, picks) => {
          // Every constant-time comparison is an await the scheduler may reorder.
          const equal = s.scheduleFunction(async (a: string, b: string) => constantTimeEqual(a, b));
          const { clock, store } = setup(equal);
          const account = ACCOUNTS[0]!;
          const codes: string[] = [];
          for (const sender of ["1", "2"]) {
            const outcome = store.request(account, sender, "x");
            if (outcome.kind === "created") codes.push(outcome.request.code);
          }
          const decided: Array<{ code: string; at: number; outcome: DecideOutcome }> = [];
          const running = kinds.map((kind, index) => {
            const pick = picks[index] ?? 0;
            const code = codes[pick % codes.length]!;
            switch (kind) {
              case "approve":
              case "deny":
                return s.schedule(Promise.resolve(), `${kind} ${code}`).then(async () => {
                  const outcome = kind === "approve" ? await store.approve(account, code) : await store.deny(account, code);
                  decided.push({ code, at: clock.now, outcome });
                });
              case "request":
                return s.schedule(Promise.resolve(), "request").then(() => {
                  store.request(account, String(10 + (pick % 4)), "y");
                  checkInvariants(store);
                });
              default:
                return s.schedule(Promise.resolve(), "advance").then(() => {
                  clock.now += pick % 2 === 0 ? TTL : 1;
                });
            }
          });
          await s.waitFor(Promise.all(running));
          checkInvariants(store);
          for (const code of codes) {
            const wins = decided.filter((entry) => entry.code === code && entry.outcome.ok);
            expect(wins.length).toBeLessThanOrEqual(1);
            for (const win of wins) {
              if (win.outcome.ok) expect(win.at - win.outcome.request.createdAt).toBeLessThan(TTL);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
