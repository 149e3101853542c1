// The shapes of pairing requests and where they are stored, shared by the store and its challenge mode.

export type PairingStatus = "pending" | "approved" | "denied";
/** How the request was made: its code went to the sender (approve) or to the owner (challenge). */
export type PairingMode = "approve" | "challenge";

export type PairingRequest = {
  account: string;
  code: string;
  senderId: string;
  /** Display name as the channel reported it: shown to the owner, never used for identity. */
  name: string;
  createdAt: number;
  status: PairingStatus;
  decidedAt: number | null;
  mode: PairingMode;
};

/** Where requests live: SQLite in the Gatekeeper Durable Object, a Map in tests. */
export interface PairingRows {
  /** Every stored request of the account (pending and decided), oldest first. */
  list(account: string): PairingRequest[];
  insert(request: PairingRequest): void;
  /** Moves a request out of `pending`; false when it was no longer pending (someone else won). */
  decide(account: string, code: string, status: Exclude<PairingStatus, "pending">, at: number): boolean;
  /** Challenge mode: one wrong code typed by `senderId` while `code` was their live request. */
  recordWrongAttempt(account: string, senderId: string, code: string, at: number): void;
  /** Wrong attempts at `code` (ever), and by `senderId` at or after `since` (any of their codes). */
  wrongAttempts(account: string, senderId: string, code: string, since: number): { perCode: number; perSender: number };
}

export type PairingOptions = {
  maxPending: number;
  ttlMs: number;
  clock: () => number;
  newCode: () => string;
  /** Constant-time comparison; asynchronous (it hashes), so other operations may interleave. */
  equal: (given: string, stored: string) => Promise<boolean>;
  /** Challenge mode: wrong codes allowed per code and per sender before the sender is blocked. */
  maxWrongAttempts: number;
};
