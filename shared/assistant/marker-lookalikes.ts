/**
 * Finding and defusing text that looks like an untrusted-content marker. Detection runs on a
 * folded view of the text, each code point folded on its own: NFKC (full-width letters, the
 * Kelvin sign, ligatures such as "ﬆ"), look-alike angle brackets to `<` `>`, a few Cyrillic,
 * Greek, Cherokee and small-capital letters to the Latin ones they imitate, and combining marks
 * and invisible format characters dropped. Folding per code point (not the whole string) keeps
 * "<" + U+0338 from composing into "≮" and hiding a bracket. Only the matched stretch of the
 * original text is replaced; everything around it is left exactly as it was.
 */

/** Angle brackets and arrowheads a model may read as `<` (after NFKC: ＜ ﹤ 〈 are already folded). */
const LEFT = "<‹«〈⟨⟪⟬⦉⦑⧼❬❮❰ᐸ˂《≪⋘⫷⊲◁◂◃◄≺";
const RIGHT = ">›»〉⟩⟫⟭⦊⦒⧽❭❯❱ᐳ˃》≫⋙⫸⊳▷▸▹►≻";

/** Letters of the marker words that other scripts imitate closely; NFKC leaves these alone. */
const LOOKALIKE_LETTERS: Record<string, string> = {
  E: "ЕΕᎬᴇ",
  e: "е",
  N: "Νɴ",
  n: "ո",
  D: "Ꭰᴅ",
  d: "ԁ",
  U: "ᴜՍ",
  u: "սυ",
  T: "ТΤᎢᴛ",
  t: "т",
  R: "ʀᎡᏒ",
  S: "ЅᏚꜱՏ",
  s: "ѕ",
  C: "СϹᏟᴄ",
  c: "сϲ",
  O: "ОΟՕᴏ",
  o: "оοօ",
};

const FOLD = new Map<string, string>();
for (const ch of LEFT) FOLD.set(ch, "<");
for (const ch of RIGHT) FOLD.set(ch, ">");
for (const [latin, others] of Object.entries(LOOKALIKE_LETTERS)) for (const ch of others) FOLD.set(ch, latin);

const IGNORED = /^[\p{M}\p{Cf}]$/u;
const cache = new Map<string, string>();

/** The folded form of one (non-ASCII) code point: possibly several characters, possibly none. */
function foldCodePoint(cp: string): string {
  const known = cache.get(cp);
  if (known !== undefined) return known;
  let out = "";
  for (const ch of cp.normalize("NFKC")) {
    if (IGNORED.test(ch)) continue;
    out += FOLD.get(ch) ?? ch;
  }
  if (cache.size < 4096) cache.set(cp, out);
  return out;
}

/** Whether `ch` (one code point) is an angle bracket or something folded to one. */
export function looksLikeAngleBracket(ch: string): boolean {
  return /[<>]/.test(ch.charCodeAt(0) < 0x80 ? ch : foldCodePoint(ch));
}

/** The folded text and, for each of its UTF-16 units, where its code point starts in the original. */
type Folded = { text: string; origin: number[] | null };

function fold(text: string): Folded {
  // ASCII folds to itself; most tool output is ASCII, so skip the index map entirely.
  if (!/\P{ASCII}/u.test(text)) return { text, origin: null };
  const parts: string[] = [];
  const origin: number[] = [];
  let i = 0;
  for (const cp of text) {
    const folded = cp.charCodeAt(0) < 0x80 ? cp : foldCodePoint(cp);
    parts.push(folded);
    for (let k = 0; k < folded.length; k++) origin.push(i);
    i += cp.length;
  }
  return { text: parts.join(""), origin };
}

/** The text as detection sees it (for tests that need text no marker can be made of). */
export function foldForDetection(text: string): string {
  return fold(text).text;
}

const SEP = String.raw`[\s\p{Pd}\p{Pc}.*~|\x60]`;
const ATTR = String.raw`\s+[\w-]{1,32}\s*=\s*(?:"[^"\n<>]{0,256}"|'[^'\n<>]{0,256}'|[^\s<>"']{0,256})`;
/** A qualifying word before the core, as in OpenClaw's EXTERNAL_UNTRUSTED_CONTENT. */
const WORD = String.raw`[a-z]{1,16}${SEP}{0,8}`;
/**
 * The marker core is "UNTRUSTED" and "CONTENT" with up to 32 separators between; around it an
 * opening run of brackets (or `</`) and up to two words, or an END-like word, and attributes and
 * a closing run of brackets. Every repetition is bounded so a long run of `<` cannot make the
 * scan quadratic.
 */
const MARKER = new RegExp(
  String.raw`(?<open><[\s</]{0,32}(?:${WORD}){0,2})?(?<end>(?:END|CLOSE|CLOSING|STOP|BEGIN|START|OPEN)${SEP}{0,32}(?:${WORD})?)?` +
    String.raw`UNTRUSTED(?<sep>${SEP}{0,32})CONTENT(?<tail>(?:${ATTR}){0,8}\s*>{1,64})?`,
  "giu",
);
const CLOSING = /(?:^|[^a-z])(?:END|CLOSE|CLOSING|STOP)(?![a-z])|\//iu;

export type MarkerLookalike = { start: number; end: number; closing: boolean };

/**
 * Every stretch of `text` that looks like an untrusted-content marker, as original UTF-16 offsets.
 * Plain prose ("untrusted content", words apart, no brackets, no END, no closing `>`) is not one;
 * the joined token (UNTRUSTED_CONTENT, untrusted-content, UntrustedContent) always is.
 */
export function findMarkerLookalikes(text: string): MarkerLookalike[] {
  const folded = fold(text);
  const found: MarkerLookalike[] = [];
  for (const m of folded.text.matchAll(MARKER)) {
    const g = m.groups ?? {};
    const joined = !/\s/u.test(g.sep ?? "");
    if (g.open === undefined && g.end === undefined && g.tail === undefined && !joined) continue;
    const first = m.index;
    const last = m.index + m[0].length - 1;
    const start = folded.origin ? (folded.origin[first] ?? 0) : first;
    const lastStart = folded.origin ? (folded.origin[last] ?? 0) : last;
    const end = lastStart + ((text.codePointAt(lastStart) ?? 0) > 0xffff ? 2 : 1);
    const closing = CLOSING.test(`${g.open ?? ""}${g.end ?? ""}`);
    found.push({ start, end, closing });
  }
  return found;
}

/** What a defused marker reads as: visibly a removed marker, and itself no marker look-alike. */
export const DEFUSED_START = "[[MARKER_REMOVED: untrusted content start marker]]";
export const DEFUSED_END = "[[MARKER_REMOVED: untrusted content end marker]]";

/** `text` with every marker look-alike replaced by its defused form; nothing else changes. */
export function neutraliseMarkers(text: string): string {
  const found = findMarkerLookalikes(text);
  if (found.length === 0) return text;
  let out = "";
  let at = 0;
  for (const { start, end, closing } of found) {
    out += text.slice(at, start) + (closing ? DEFUSED_END : DEFUSED_START);
    at = end;
  }
  return out + text.slice(at);
}
