import fc from "fast-check";
import { expect } from "vitest";
import { SENDER_ATTEMPT_WINDOW_MS } from "../../shared/access/pairing-challenge.js";
import { newPairingCode } from "../../shared/access/pairing-code.js";
import { MemoryPairingRows, PairingStore, type PairingRows } from "../../shared/access/pairing-store.js";
import { constantTimeEqual } from "../../shared/constant-time.js";

export const CAP = 3;
export const TTL = 60 * 60 * 1000;
export const ACCOUNTS = ["telegram:1", "telegram:2"];
export const MAX_WRONG = 3;

/** The simple model: requests per account (live = pending and younger than the TTL), wrong attempts, blocked senders. */
type ModelRequest = {
  account: string;
  sender: string;
  code: string;
  createdAt: number;
  status: "pending" | "approved" | "denied";
  mode: "approve" | "challenge";
};
type Variant = "exact" | "lower" | "wrong";

export type Op =
  | { kind: "request"; account: number; sender: number; mode: "approve" | "challenge" }
  | { kind: "decide"; action: "approve" | "deny"; account: number; pick: number; variant: Variant }
  | { kind: "attempt"; account: number; sender: number; pick: number; variant: Variant | "other" | "chatter" }
  | { kind: "advance"; ms: number };

/** Operations over `accounts` accounts and `senders` senders; small numbers make collisions (and the caps) likely. */
export function ops(accounts: number, senders: number): fc.Arbitrary<Op> {
  const variant = fc.constantFrom("exact" as const, "lower" as const, "wrong" as const);
  return fc.oneof(
    fc.record({
      kind: fc.constant("request" as const),
      account: fc.nat(accounts - 1),
      sender: fc.nat(senders - 1),
      mode: fc.constantFrom("approve" as const, "challenge" as const),
    }),
    fc.record({ kind: fc.constant("decide" as const), action: fc.constantFrom("approve" as const, "deny" as const) }).chain((base) =>
      fc.record({
        kind: fc.constant(base.kind),
        action: fc.constant(base.action),
        account: fc.nat(accounts - 1),
        pick: fc.nat(20),
        variant,
      }),
    ),
    fc.record({
      kind: fc.constant("attempt" as const),
      account: fc.nat(accounts - 1),
      sender: fc.nat(senders - 1),
      pick: fc.nat(20),
      variant: fc.oneof(variant, fc.constantFrom("other" as const, "chatter" as const)),
    }),
    fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 10 * 60_000 }), fc.constant(TTL), fc.constant(TTL - 1)),
    }),
  );
}

/** A store over `rows` (in memory by default; the workerd test passes the Gatekeeper's SQLite rows). */
export function setup(equal: (a: string, b: string) => Promise<boolean> = constantTimeEqual, rows: PairingRows = new MemoryPairingRows()) {
  const clock = { now: 1_000_000 };
  const store = new PairingStore(rows, {
    maxPending: CAP,
    ttlMs: TTL,
    clock: () => clock.now,
    newCode: () => newPairingCode(),
    equal,
    maxWrongAttempts: MAX_WRONG,
  });
  return { clock, store };
}

export function checkInvariants(store: PairingStore) {
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

/** Any sequence of operations (over `accounts` accounts and `senders` senders) agrees with the model. */
export function modelProperty(
  accounts: number,
  senders: number,
  length: { minLength?: number; maxLength: number },
  rows: () => PairingRows,
) {
  return fc.asyncProperty(fc.array(ops(accounts, senders), length), async (steps) => {
    const { clock, store } = setup(constantTimeEqual, rows());
    const model = new PairingModel(store, clock);
    for (const step of steps) await model.step(step);
  });
}

/**
 * Runs one operation on the store and on the model and compares the outcomes. Senders the model
 * has blocked send nothing more: the gate drops them before the store is asked.
 */
export class PairingModel {
  private readonly requests: ModelRequest[] = [];
  private readonly wrong: Array<{ sender: string; code: string; at: number }> = [];
  private readonly blocked = new Set<string>();
  constructor(
    private readonly store: PairingStore,
    private readonly clock: { now: number },
  ) {}

  async step(step: Op): Promise<void> {
    if (step.kind === "advance") this.clock.now += step.ms;
    else if (step.kind === "request") this.request(ACCOUNTS[step.account]!, String(100 + step.sender), step.mode);
    else if (step.kind === "decide") await this.decide(step);
    else await this.attempt(step);
    checkInvariants(this.store);
  }

  private live(account: string): ModelRequest[] {
    return this.requests.filter(
      (request) => request.account === account && request.status === "pending" && this.clock.now - request.createdAt < TTL,
    );
  }

  private request(account: string, sender: string, mode: ModelRequest["mode"]): void {
    if (this.blocked.has(`${account}/${sender}`)) return;
    const live = this.live(account);
    const outcome = this.store.request(account, sender, `user ${sender}`, mode);
    if (live.some((request) => request.sender === sender)) return expect(outcome.kind).toBe("already_pending");
    if (live.length >= CAP) return expect(outcome.kind).toBe("full");
    expect(outcome.kind).toBe("created");
    if (outcome.kind === "created")
      this.requests.push({ account, sender, code: outcome.request.code, createdAt: this.clock.now, status: "pending", mode });
  }

  private async decide(step: Extract<Op, { kind: "decide" }>): Promise<void> {
    const account = ACCOUNTS[step.account]!;
    const target = this.requests.length > 0 ? this.requests[step.pick % this.requests.length]! : undefined;
    const code = step.variant === "wrong" || !target ? wrongCode(this.requests.map((r) => r.code)) : target.code;
    const typed = step.variant === "lower" ? code.toLowerCase() : code;
    const outcome = step.action === "approve" ? await this.store.approve(account, typed) : await this.store.deny(account, typed);
    const expected = /[a-z]/.test(typed)
      ? "lower_case"
      : step.variant === "wrong" || !target || target.account !== account
        ? "wrong"
        : target.status !== "pending"
          ? "used"
          : this.clock.now - target.createdAt >= TTL
            ? "expired"
            : "ok";
    expect(outcome.ok ? "ok" : outcome.reason).toBe(expected);
    if (outcome.ok && target) target.status = step.action === "approve" ? "approved" : "denied";
  }

  private async attempt(step: Extract<Op, { kind: "attempt" }>): Promise<void> {
    const account = ACCOUNTS[step.account]!;
    const sender = String(100 + step.sender);
    if (this.blocked.has(`${account}/${sender}`)) return;
    const mine = this.live(account).find((request) => request.sender === sender);
    const other = this.requests.length > 0 ? this.requests[step.pick % this.requests.length] : undefined;
    const anyWrong = wrongCode(this.requests.map((r) => r.code));
    const base = step.variant === "wrong" ? anyWrong : step.variant === "other" ? (other?.code ?? anyWrong) : (mine?.code ?? anyWrong);
    const typed = step.variant === "chatter" ? "let me in please" : step.variant === "lower" ? base.toLowerCase() : base;
    const outcome = await this.store.attempt(account, sender, typed);
    // No live request, or one made in approve mode (its code went to the sender): never an attempt.
    if (!mine || mine.mode !== "challenge") return expect(outcome.kind).toBe("no_request");
    if (step.variant === "chatter") return expect(outcome.kind).toBe("not_a_code");
    if (typed === mine.code) {
      // The exact code of the sender's own live request pairs, once: the request is then decided.
      expect(outcome).toMatchObject({ kind: "paired", request: { code: mine.code, senderId: sender } });
      mine.status = "approved";
      return;
    }
    // Anything else — another sender's code, a lower-cased one — is wrong and never pairs.
    this.wrong.push({ sender: `${account}/${sender}`, code: mine.code, at: this.clock.now });
    const perCode = this.wrong.filter((attempt) => attempt.code === mine.code).length;
    const since = this.clock.now - SENDER_ATTEMPT_WINDOW_MS;
    const perSender = this.wrong.filter((attempt) => attempt.sender === `${account}/${sender}` && attempt.at >= since).length;
    const attempts = Math.max(perCode, perSender);
    const lowerCase = /[a-z]/.test(typed);
    if (attempts < MAX_WRONG) {
      expect(outcome).toMatchObject({ kind: "wrong", attempts, left: MAX_WRONG - attempts, lowerCase, request: { code: mine.code } });
      return;
    }
    // The cap: the request is closed and the sender blocked (by the gate) from now on.
    expect(outcome).toMatchObject({ kind: "exhausted", attempts, lowerCase, request: { code: mine.code } });
    mine.status = "denied";
    this.blocked.add(`${account}/${sender}`);
  }
}
