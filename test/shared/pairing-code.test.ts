import { describe, expect, it } from "vitest";
import { newPairingCode, PAIRING_ALPHABET, readPairingCode } from "../../shared/access/pairing-code.js";

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

  it("are read exactly: whitespace trimmed, lower case refused as such, anything outside the alphabet malformed", () => {
    expect(readPairingCode(" ABCD2345 ")).toEqual({ ok: true, code: "ABCD2345" });
    for (const lower of ["abcd2345", "ABCd2345", " abcd2345 "]) expect(readPairingCode(lower)).toEqual({ ok: false, reason: "lower_case" });
    for (const bad of ["ABCD234", "ABCD23456", "ABCD2340", "ABCDI345", "abcdi345", "ABCD 345", "ÀBCD2345", "ABCDEFß"])
      expect(readPairingCode(bad)).toEqual({ ok: false, reason: "malformed" });
  });
});
