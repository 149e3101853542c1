/**
 * Text someone else controls (a Telegram display name or username, a file name, a command the
 * model wrote), shown to the owner: in a chat prompt, an admin API answer or a terminal. Such
 * text must not be able to reorder, hide or fake the lines around it, so every character that
 * reorders (bidi controls), hides (zero-width, format, control, odd spaces) or breaks a line is
 * written out (`\u202e`, `⏎`) instead of passed on. The escapes are JSON's own (`\uXXXX`, UTF-16
 * units), so a JSON document run through `terminalSafe` still means the same.
 */

/** How many characters of a label are shown by default; Telegram's own names are at most ~170. */
export const LABEL_MAX = 120;

// Control, format (bidi, zero-width, tags), lone surrogates, line/paragraph separators, spaces that
// are not U+0020, the blank-looking fillers used for "invisible" names, and the combining grapheme joiner.
const HIDDEN = /\u034f|[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u00a0\u115f\u1160\u1680\u180e\u2000-\u200a\u202f\u205f\u2800\u3000\u3164\uffa0]/u;
const LINE_BREAK = /[\n\r\v\f\u2028\u2029]/u;
const ZWJ = "\u200d";
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const EMOJI_TAIL = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f]/u;

type Mode = "label" | "text" | "terminal";

/** One line, Unicode-normalised (NFC), at most `max` characters ending in "…" when clipped. */
export function shownLabel(text: string, max: number = LABEL_MAX): string {
  // A 10 KB name costs no more than a short one: escapes only lengthen, and NFC composes at most
  // a few characters into one, so four times the limit is always enough to fill it.
  const budget = max * 4 + 8;
  let head = text.length > budget ? text.slice(0, budget) : text;
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  const pieces = escapePieces(head.normalize("NFC"), "label");
  if (size(pieces) <= max && head === text) return pieces.join("");
  return `${keep(pieces, max - 1).kept}…`;
}

/**
 * Several lines (a command, a path): a newline is shown as ⏎ and kept, every other break and
 * hidden character is written out; past `max`, "… [N more characters not shown]".
 */
export function shownText(text: string, max: number, advice?: string): string {
  const pieces = escapePieces(text.normalize("NFC"), "text");
  const total = size(pieces);
  if (total <= max) return pieces.join("");
  const { kept, used } = keep(pieces, max);
  return `${kept}… [${total - used} more characters not shown${advice ? `; ${advice}` : ""}]`;
}

/**
 * A line the CLI prints: terminal escape sequences (ESC), C0/C1 controls and bidi or zero-width
 * characters written out; newlines and tabs kept. Not normalised or clipped, so JSON stays exact.
 */
export function terminalSafe(text: string): string {
  return escapePieces(text, "terminal").join("");
}

/** The text as pieces, one per code point (its escape, ⏎, or itself); lengths count code points. */
function escapePieces(text: string, mode: Mode): string[] {
  const chars = [...text];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? "";
    if (char === "\r" && chars[i + 1] === "\n" && mode !== "terminal") continue; // shown once, as the \n
    if (mode === "label" && LINE_BREAK.test(char)) pieces.push("⏎");
    else if (mode === "text" && char === "\n") pieces.push("⏎\n");
    else if (mode === "terminal" && (char === "\n" || char === "\t")) pieces.push(char);
    else if (char === ZWJ && joinsEmoji(chars[i - 1], chars[i + 1])) pieces.push(char);
    else if (HIDDEN.test(char)) pieces.push(escaped(char));
    else pieces.push(char);
  }
  return pieces;
}

/** The leading whole pieces that fit in `max` characters: an escape is never cut in half. */
function keep(pieces: readonly string[], max: number): { kept: string; used: number } {
  let used = 0;
  let kept = "";
  for (const piece of pieces) {
    const length = [...piece].length;
    if (used + length > max) break;
    kept += piece;
    used += length;
  }
  return { kept, used };
}

function size(pieces: readonly string[]): number {
  return pieces.reduce((sum, piece) => sum + [...piece].length, 0);
}

/** A zero-width joiner between two emoji builds one emoji (👩🏽‍💻); anywhere else it only hides. */
function joinsEmoji(before: string | undefined, after: string | undefined): boolean {
  return before !== undefined && after !== undefined && EMOJI_TAIL.test(before) && PICTOGRAPH.test(after);
}

function escaped(char: string): string {
  let out = "";
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}
