/** No I, O, 0 or 1: nothing a person could misread when typing a code from a phone screen. */
export const PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const PAIRING_CODE_LENGTH = 8;

const WELL_FORMED = new RegExp(`^[${PAIRING_ALPHABET}]{${PAIRING_CODE_LENGTH}}$`);

/**
 * Draws a code from the platform CSPRNG. The alphabet has 32 letters and 256 is a multiple of
 * 32, so `byte % 32` is exactly uniform — no modulo bias, no rejection loop needed.
 */
export function newPairingCode(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = random(new Uint8Array(PAIRING_CODE_LENGTH));
  let code = "";
  for (const byte of bytes) code += PAIRING_ALPHABET[byte % PAIRING_ALPHABET.length];
  return code;
}

export type TypedCode = { ok: true; code: string } | { ok: false; reason: "malformed" | "lower_case" };

/**
 * What someone typed, checked against the form codes are shown in. Surrounding whitespace is
 * trimmed; case is not normalised: codes are typed exactly as shown, so `abcd2345` is refused
 * as `lower_case` (its own clear message) rather than quietly accepted as `ABCD2345`.
 * `malformed` is anything that cannot be a code in either case (wrong length, I/O/0/1, others).
 */
export function readPairingCode(typed: string): TypedCode {
  const code = typed.trim();
  if (WELL_FORMED.test(code)) return { ok: true, code };
  return /[a-z]/.test(code) && WELL_FORMED.test(code.toUpperCase())
    ? { ok: false, reason: "lower_case" }
    : { ok: false, reason: "malformed" };
}
