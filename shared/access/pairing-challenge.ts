import { readPairingCode } from "./pairing-code.js";
import type { PairingOptions, PairingRequest, PairingRows } from "./pairing-rows.js";

/**
 * Wrong attempts by one sender count across their codes for this long, so letting a code expire
 * and asking for a new one does not reset the count. Pairing rows are kept as long.
 */
export const SENDER_ATTEMPT_WINDOW_MS = 24 * 60 * 60 * 1000;

export type AttemptOutcome =
  /** The exact, live code: the request is approved (once) and the sender may be let in. */
  | { kind: "paired"; request: PairingRequest }
  /** Wrong (or lower-cased) and attempts remain; `attempts` = the larger of the two counts. */
  | { kind: "wrong"; request: PairingRequest; lowerCase: boolean; attempts: number; left: number }
  /** Wrong and the cap is reached: the request is closed; the caller blocks the sender. */
  | { kind: "exhausted"; request: PairingRequest; lowerCase: boolean; attempts: number }
  /** Chatter that cannot be a code in any case: not an attempt, nothing counted. */
  | { kind: "not_a_code" }
  /** The sender has no live challenge request (none, expired, decided while we compared, or made in approve mode). */
  | { kind: "no_request" };

type Attempt = { account: string; senderId: string; typed: string };

/**
 * Challenge mode: the owner received the code and hands it over; the sender pairs by typing it.
 * Only the sender's own live request counts (another sender's code is just wrong). The code must
 * be exact — a lower-cased one is a wrong attempt — and is compared in constant time. Wrong
 * attempts are capped per code and per sender (`maxWrongAttempts`).
 */
export async function attemptChallenge(
  rows: PairingRows,
  options: PairingOptions,
  liveRequestOf: (senderId: string) => PairingRequest | undefined,
  { account, senderId, typed }: Attempt,
): Promise<AttemptOutcome> {
  const request = liveRequestOf(senderId);
  // A request made in approve mode sent its code to the sender: typing it must never pair them.
  if (!request || request.mode !== "challenge") return { kind: "no_request" };
  const read = readPairingCode(typed);
  if (!read.ok && read.reason === "malformed") return { kind: "not_a_code" };
  const matched = await options.equal(typed.trim(), request.code);
  // The comparison awaited: re-read and commit synchronously, so concurrent attempts cannot
  // both pair, and an attempt at a code decided or expired meanwhile counts for nothing.
  const current = liveRequestOf(senderId);
  if (!current || current.code !== request.code) return { kind: "no_request" };
  const now = options.clock();
  if (matched) {
    if (!rows.decide(account, current.code, "approved", now)) return { kind: "no_request" };
    return { kind: "paired", request: { ...current, status: "approved", decidedAt: now } };
  }
  const lowerCase = !read.ok;
  rows.recordWrongAttempt(account, senderId, current.code, now);
  const counts = rows.wrongAttempts(account, senderId, current.code, now - SENDER_ATTEMPT_WINDOW_MS);
  const attempts = Math.max(counts.perCode, counts.perSender);
  if (attempts < options.maxWrongAttempts) {
    return { kind: "wrong", request: current, lowerCase, attempts, left: options.maxWrongAttempts - attempts };
  }
  rows.decide(account, current.code, "denied", now);
  return { kind: "exhausted", request: { ...current, status: "denied", decidedAt: now }, lowerCase, attempts };
}
