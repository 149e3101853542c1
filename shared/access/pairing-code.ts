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

/**
 * What the owner typed, in the form codes are stored: trimmed and upper-cased. The alphabet has
 * no lower-case letters, so accepting `abcd2345` for `ABCD2345` adds no guessable codes.
 * Returns null for anything that cannot be a code (wrong length, I/O/0/1, other characters).
 */
export function normalisePairingCode(typed: string): string | null {
  const code = typed.trim().toUpperCase();
  return WELL_FORMED.test(code) ? code : null;
}
