import { attemptChallenge, type AttemptOutcome } from "./pairing-challenge.js";
import { readPairingCode } from "./pairing-code.js";
import type { PairingMode, PairingOptions, PairingRequest, PairingRows, PairingStatus } from "./pairing-rows.js";

export type { PairingMode, PairingOptions, PairingRequest, PairingRows, PairingStatus } from "./pairing-rows.js";

export type RequestOutcome =
  { kind: "created"; request: PairingRequest } | { kind: "already_pending"; request: PairingRequest } | { kind: "full"; pending: number };

export type DecideFailure = "malformed" | "lower_case" | "wrong" | "expired" | "used";
export type DecideOutcome = { ok: true; request: PairingRequest } | { ok: false; reason: DecideFailure };

/** User-facing explanations of each failure (the admin API, the CLI and Telegram show them). */
export const DECIDE_FAILURE_MESSAGES: Record<DecideFailure, string> = {
  malformed: "That is not a pairing code: codes are 8 characters from A–Z and 2–9 (no I, O, 0 or 1).",
  lower_case: "Pairing codes are upper-case letters and digits (like ABCD2345); type it exactly as shown — nothing was approved or denied.",
  wrong: "No pairing request has that code. Check it with `drawbridge pairing list`.",
  expired: "That pairing code has expired (codes are valid for at most 60 minutes). The sender can message again for a new one.",
  used: "That pairing code was already used (approved or denied); codes work once.",
};

/**
 * Pairing requests of channel accounts: at most `maxPending` live requests per account, at most
 * one live request per sender, codes that expire and work once. Pure logic over `PairingRows`.
 */
export class PairingStore {
  constructor(
    private readonly rows: PairingRows,
    private readonly options: PairingOptions,
  ) {}

  /** Live = pending and not expired. */
  live(account: string): PairingRequest[] {
    const now = this.options.clock();
    return this.rows.list(account).filter((request) => request.status === "pending" && !this.expired(request, now));
  }

  /**
   * An unknown sender asks to pair. Synchronous on purpose: check and insert cannot be
   * interleaved, so the cap and the one-per-sender rule hold under concurrency.
   * A repeat neither re-sends nor extends; a full account stores nothing.
   */
  request(account: string, senderId: string, name: string, mode: PairingMode = "approve"): RequestOutcome {
    const live = this.live(account);
    const existing = live.find((request) => request.senderId === senderId);
    if (existing) return { kind: "already_pending", request: existing };
    if (live.length >= this.options.maxPending) return { kind: "full", pending: live.length };
    const taken = new Set(this.rows.list(account).map((request) => request.code));
    let code = this.options.newCode();
    for (let tries = 0; taken.has(code) && tries < 8; tries++) code = this.options.newCode();
    if (taken.has(code)) throw new Error("could not draw an unused pairing code");
    const createdAt = this.options.clock();
    const request: PairingRequest = { account, code, senderId, name, createdAt, status: "pending", decidedAt: null, mode };
    this.rows.insert(request);
    return { kind: "created", request };
  }

  approve(account: string, typed: string): Promise<DecideOutcome> {
    return this.decide(account, typed, "approved");
  }

  deny(account: string, typed: string): Promise<DecideOutcome> {
    return this.decide(account, typed, "denied");
  }

  /** Challenge mode: the sender types the code the owner gave them (see pairing-challenge.ts). */
  attempt(account: string, senderId: string, typed: string): Promise<AttemptOutcome> {
    return attemptChallenge(this.rows, this.options, (id) => this.live(account).find((request) => request.senderId === id), {
      account,
      senderId,
      typed,
    });
  }

  private async decide(account: string, typed: string, status: "approved" | "denied"): Promise<DecideOutcome> {
    // Exact only: a lower-cased code is refused with its own message, and nothing changes.
    const read = readPairingCode(typed);
    if (!read.ok) return { ok: false, reason: read.reason };
    const code = read.code;
    // Compare against every stored code (no early exit), so timing says nothing about which matched.
    const candidates = this.rows.list(account);
    const matches = await Promise.all(candidates.map((request) => this.options.equal(code, request.code)));
    const matched = candidates.find((_, index) => matches[index]);
    if (!matched) return { ok: false, reason: "wrong" };
    // The comparison awaited: re-read and commit synchronously, so two approvals cannot both win.
    const current = this.rows.list(account).find((request) => request.code === matched.code);
    if (!current) return { ok: false, reason: "wrong" };
    if (current.status !== "pending") return { ok: false, reason: "used" };
    const now = this.options.clock();
    if (this.expired(current, now)) return { ok: false, reason: "expired" };
    if (!this.rows.decide(account, current.code, status, now)) return { ok: false, reason: "used" };
    return { ok: true, request: { ...current, status, decidedAt: now } };
  }

  private expired(request: PairingRequest, now: number): boolean {
    return now - request.createdAt >= this.options.ttlMs;
  }
}

/** In-memory rows: the reference implementation the SQLite one must agree with. */
export class MemoryPairingRows implements PairingRows {
  private readonly requests: PairingRequest[] = [];
  private readonly wrong: Array<{ account: string; senderId: string; code: string; at: number }> = [];

  list(account: string): PairingRequest[] {
    return this.requests.filter((request) => request.account === account).map((request) => ({ ...request }));
  }

  insert(request: PairingRequest): void {
    this.requests.push({ ...request });
  }

  decide(account: string, code: string, status: Exclude<PairingStatus, "pending">, at: number): boolean {
    const request = this.requests.find((row) => row.account === account && row.code === code);
    if (!request || request.status !== "pending") return false;
    request.status = status;
    request.decidedAt = at;
    return true;
  }

  recordWrongAttempt(account: string, senderId: string, code: string, at: number): void {
    this.wrong.push({ account, senderId, code, at });
  }

  wrongAttempts(account: string, senderId: string, code: string, since: number): { perCode: number; perSender: number } {
    const mine = this.wrong.filter((attempt) => attempt.account === account);
    return {
      perCode: mine.filter((attempt) => attempt.code === code).length,
      perSender: mine.filter((attempt) => attempt.senderId === senderId && attempt.at >= since).length,
    };
  }
}
