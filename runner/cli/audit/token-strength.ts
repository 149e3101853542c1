/**
 * An honest, conservative guess at how hard a token is to guess — never the token itself. The
 * estimate is the smaller of two upper bounds: length × log2(the alphabet its character classes
 * suggest), and length × log2(the distinct characters it actually uses). Random tokens from
 * `openssl rand -hex 32` or `npm start` come out at 200+ bits; words, repeats and keyboard runs low.
 */
export type TokenStrength = { length: number; distinct: number; bits: number; guessable: string | null };

const WORDS = [
  "password",
  "passwd",
  "secret",
  "token",
  "admin",
  "changeme",
  "letmein",
  "qwerty",
  "drawbridge",
  "default",
  "welcome",
  "test",
  "gateway",
  "12345",
  "abcde",
];

export function tokenStrength(token: string): TokenStrength {
  const chars = [...token];
  const distinct = new Set(chars).size;
  let pool = 0;
  if (/[a-z]/.test(token)) pool += 26;
  if (/[A-Z]/.test(token)) pool += 26;
  if (/[0-9]/.test(token)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(token)) pool += 33;
  // Hex is 16 symbols, not 36, however it is written.
  if (/^[0-9a-f]+$/i.test(token)) pool = 16;
  const perChar = Math.min(Math.log2(Math.max(pool, 1)), Math.log2(Math.max(distinct, 1)));
  const bits = Math.floor(chars.length * perChar);
  return { length: chars.length, distinct, bits, guessable: guessableBecause(token) };
}

/** Why the token reads as chosen rather than random, or null. */
function guessableBecause(token: string): string | null {
  const lower = token.toLowerCase();
  const word = WORDS.find((w) => lower.includes(w));
  if (word) return "it contains a common word";
  // A short unit repeated ("abcabcabc…") is as strong as the unit.
  for (let unit = 1; unit <= token.length / 3; unit += 1) {
    if (token.length % unit === 0 && token.slice(0, unit).repeat(token.length / unit) === token) return "it repeats a short pattern";
  }
  // "aaaaaa", "123456", "fedcba": one step (0, +1 or -1) six times over; rare by chance even in hex.
  let run = 1;
  for (let i = 2; i < token.length; i += 1) {
    const step = token.charCodeAt(i) - token.charCodeAt(i - 1);
    const before = token.charCodeAt(i - 1) - token.charCodeAt(i - 2);
    run = Math.abs(step) <= 1 && step === before ? run + 1 : 1;
    if (run >= 5) return "it has a run of repeated or consecutive characters";
  }
  return null;
}

/** "critical" below 64 bits or when it reads as chosen; "warn" under 32 characters or 96 bits; else null. */
export function tokenVerdict(strength: TokenStrength): "critical" | "warn" | null {
  if (strength.bits < 64 || strength.guessable !== null) return "critical";
  if (strength.length < 32 || strength.bits < 96) return "warn";
  return null;
}
