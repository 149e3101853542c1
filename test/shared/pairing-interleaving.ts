import fc from "fast-check";
import { expect } from "vitest";
import type { AttemptOutcome } from "../../shared/access/pairing-challenge.js";
import type { DecideOutcome, PairingRows } from "../../shared/access/pairing-store.js";
import { constantTimeEqual } from "../../shared/constant-time.js";
import { ACCOUNTS, checkInvariants, MAX_WRONG, setup, TTL } from "./pairing-model.js";

/**
 * Owner decisions, challenge attempts, new requests and clock moves interleaved by `fc.scheduler`
 * over `rows`: a code is decided at most once, never when wrong or expired, and no cap breaks.
 */
export function interleavingProperty(rows: () => PairingRows) {
  return fc.asyncProperty(
    fc.scheduler(),
    fc.array(fc.constantFrom("approve", "deny", "request", "advance", "right", "guess"), {
      minLength: 2,
      maxLength: 12,
    }),
    fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
    async (s, kinds, picks) => {
      // Every constant-time comparison is an await the scheduler may reorder.
      const equal = s.scheduleFunction(async (a: string, b: string) => constantTimeEqual(a, b));
      const { clock, store } = setup(equal, rows());
      const account = ACCOUNTS[0]!;
      const requests: Array<{ sender: string; code: string }> = [];
      for (const sender of ["1", "2"]) {
        const outcome = store.request(account, sender, "x", "challenge");
        if (outcome.kind === "created") requests.push({ sender, code: outcome.request.code });
      }
      const codes = requests.map((request) => request.code);
      const decided: Array<{ code: string; at: number; outcome: DecideOutcome }> = [];
      const attempted: Array<{ code: string; at: number; right: boolean; outcome: AttemptOutcome }> = [];
      const running = kinds.map((kind, index) => {
        const pick = picks[index] ?? 0;
        const { sender, code } = requests[pick % requests.length]!;
        switch (kind) {
          case "right":
          case "guess":
            // The sender types their code, or one that differs in its first letter.
            return s.schedule(Promise.resolve(), `${kind} ${sender}`).then(async () => {
              const typed = kind === "right" ? code : `${code.startsWith("A") ? "B" : "A"}${code.slice(1)}`;
              attempted.push({ code, at: clock.now, right: kind === "right", outcome: await store.attempt(account, sender, typed) });
            });
          case "approve":
          case "deny":
            return s.schedule(Promise.resolve(), `${kind} ${code}`).then(async () => {
              const outcome = kind === "approve" ? await store.approve(account, code) : await store.deny(account, code);
              decided.push({ code, at: clock.now, outcome });
            });
          case "request":
            return s.schedule(Promise.resolve(), "request").then(() => {
              store.request(account, String(10 + (pick % 4)), "y", pick % 2 === 0 ? "challenge" : "approve");
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
        const mine = attempted.filter((entry) => entry.code === code);
        const closing = mine.filter((entry) => entry.outcome.kind === "paired" || entry.outcome.kind === "exhausted");
        // One decision per code, whoever makes it: the owner, the right code, or the attempt cap.
        expect(wins.length + closing.length).toBeLessThanOrEqual(1);
        for (const win of wins) {
          if (win.outcome.ok) expect(win.at - win.outcome.request.createdAt).toBeLessThan(TTL);
        }
        for (const entry of mine) {
          if (entry.outcome.kind === "paired") {
            expect(entry.right).toBe(true);
            expect(entry.at - entry.outcome.request.createdAt).toBeLessThan(TTL);
          }
        }
        const wrong = mine.filter((entry) => entry.outcome.kind === "wrong" || entry.outcome.kind === "exhausted");
        expect(wrong.length).toBeLessThanOrEqual(MAX_WRONG);
      }
    },
  );
}
