import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFUSED_END,
  DEFUSED_START,
  findMarkerLookalikes,
  foldForDetection,
  neutraliseMarkers,
} from "../../shared/assistant/marker-lookalikes.js";
import { unwrapUntrusted, wrapUntrusted } from "../../shared/assistant/untrusted-content.js";

const RUNS = { numRuns: 300 };

/** Look-alikes of each letter of the marker words, chosen here independently of the implementation. */
const fullWidth = (ch: string) => String.fromCodePoint((ch.codePointAt(0) ?? 0x21) - 0x21 + 0xff01);
const CYRILLIC: Record<string, string> = { E: "Е", T: "Т", C: "С", O: "О", S: "Ѕ", e: "е", c: "с", o: "о" };
const letter = (ch: string) => fc.constantFrom(ch, ch.toLowerCase(), fullWidth(ch), fullWidth(ch.toLowerCase()), CYRILLIC[ch] ?? ch);
/** Invisible or combining characters slipped between the letters. */
const between = fc.constantFrom("", "", "", "\u200b", "\u0301", "\u00ad", "\u2060", "\ufe0f");
const word = (w: string) =>
  fc
    .tuple(fc.tuple(...Array.from(w, letter)), fc.array(between, { minLength: w.length, maxLength: w.length }))
    .map(([letters, gaps]) => letters.map((l, i) => (i === 0 ? l : (gaps[i] ?? "") + l)).join(""));

const OPEN = ["<<<", "<", "＜＜＜", "«", "‹‹‹", "〈〈", "⟨⟨⟨", "⟪", "﹤﹤﹤", "<\u0338<<", "</", "≪ "];
const CLOSE = [">>>", ">", "＞＞＞", "»", "›››", "〉〉", "⟩⟩⟩", "⟫", "﹥﹥﹥", " >>>"];
const JOINED_SEP = ["_", "", "-", "＿", "_\u200b", "__", "—"];
const ANY_SEP = [...JOINED_SEP, " ", "\n", " _ ", "\t"];

const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 0, maxLength: 40 });
const tail = fc.oneof(
  fc.constantFrom(...CLOSE),
  fc.tuple(hex, fc.constantFrom(...CLOSE)).map(([id, close]) => ` id="${id}"${close}`),
  fc.tuple(hex, fc.constantFrom(...CLOSE)).map(([id, close]) => ` id="${id}" source="x y"${close}`),
);

/** A marker look-alike: brackets or not, END or not, any case, look-alike letters, attributes or not. */
const lookalike = fc
  .record({
    open: fc.option(fc.constantFrom(...OPEN), { nil: "" }),
    end: fc.option(fc.tuple(fc.oneof(word("END"), word("CLOSE"), fc.constant("START")), fc.constantFrom(...ANY_SEP)), { nil: undefined }),
    untrusted: word("UNTRUSTED"),
    joined: fc.constantFrom(...JOINED_SEP),
    spaced: fc.constantFrom(...ANY_SEP),
    content: word("CONTENT"),
    tail: fc.option(tail, { nil: "" }),
  })
  .map(
    ({ open, end, untrusted, joined, spaced, content, tail }) =>
      open +
      (end ? end.join("") : "") +
      untrusted +
      // Prose ("untrusted content": no brackets, no END, no ">") may stay; a look-alike is not prose.
      (open || end || tail ? spaced : joined) +
      content +
      tail,
  );

/** Arbitrary text with nothing a marker is made of: no letters that fold to Latin, no brackets. */
const plain = fc
  .oneof(fc.string({ unit: "binary", maxLength: 30 }), fc.string({ unit: "grapheme", maxLength: 30 }), fc.string({ maxLength: 30 }))
  .map((s) =>
    Array.from(s)
      .filter((ch) => !/[a-z<>/]/i.test(foldForDetection(ch)))
      .join(""),
  );

/** Plain stretches with look-alikes between them. */
const mixed = fc
  .array(fc.tuple(lookalike, plain), { maxLength: 6 })
  .chain((pairs) => plain.map((head) => ({ plains: [head, ...pairs.map(([, p]) => p)], forged: pairs.map(([l]) => l) })));

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const DEFUSED = `(?:${escape(DEFUSED_START)}|${escape(DEFUSED_END)})`;

function blockMarkers(wrapped: string) {
  const starts = [...wrapped.matchAll(/<<<UNTRUSTED_CONTENT id="([^"]*)"/g)].map((m) => m[1]);
  const ends = [...wrapped.matchAll(/<<<END_UNTRUSTED_CONTENT id="([^"]*)"/g)].map((m) => m[1]);
  return { starts, ends };
}

describe("wrapUntrusted (property)", () => {
  it("for content with marker look-alikes: one start and one end marker with the same fresh id, and only the look-alikes changed", () => {
    fc.assert(
      fc.property(mixed, fc.string({ maxLength: 20 }), ({ plains, forged }, source) => {
        const content = plains.map((p, i) => (i === 0 ? p : forged[i - 1] + p)).join("");
        const wrapped = wrapUntrusted(content, source);
        const { starts, ends } = blockMarkers(wrapped);
        expect(starts).toHaveLength(1);
        expect(ends).toEqual(starts);
        expect(starts[0]).toMatch(/^[0-9a-f]{16,}$/);
        // Not even a look-alike is left, other than the block's own two markers.
        expect(findMarkerLookalikes(wrapped)).toHaveLength(2);

        const again = wrapUntrusted(content, source);
        expect(blockMarkers(again).starts[0]).not.toBe(starts[0]);

        const block = unwrapUntrusted(wrapped);
        expect(block?.id).toBe(starts[0]);
        // Each look-alike became defused markers; look-alikes with nothing between may merge into one.
        let pattern = plains.map(escape).join(`${DEFUSED}+`);
        while (pattern.includes(`${DEFUSED}+${DEFUSED}+`)) pattern = pattern.replaceAll(`${DEFUSED}+${DEFUSED}+`, `${DEFUSED}+`);
        const expected = new RegExp(`^${pattern}$`, "u");
        expect(block?.content).toMatch(expected);
        expect(block?.content).toBe(unwrapUntrusted(again)?.content);
      }),
      RUNS,
    );
  });

  it("for any text: a block that unwraps to it unchanged unless it holds a look-alike; defusing twice changes nothing more", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc
        .array(fc.oneof(lookalike, fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom(...OPEN, ...CLOSE, "END", "_", "\n")), {
          maxLength: 12,
        })
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        const wrapped = wrapUntrusted(text, "exec");
        expect(blockMarkers(wrapped).starts).toHaveLength(1);
        expect(blockMarkers(wrapped).ends).toHaveLength(1);
        expect(findMarkerLookalikes(wrapped)).toHaveLength(2);
        const content = unwrapUntrusted(wrapped)?.content;
        if (findMarkerLookalikes(text).length === 0) expect(content).toBe(text);
        expect(content).toBe(neutraliseMarkers(text));
        expect(neutraliseMarkers(neutraliseMarkers(text))).toBe(neutraliseMarkers(text));
      }),
      RUNS,
    );
  });
});
