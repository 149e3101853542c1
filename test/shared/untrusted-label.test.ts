import { describe, expect, it } from "vitest";
import { shownLabel, shownText, terminalSafe } from "../../shared/display/untrusted-label.js";

/** The name from the attack run: a bidi override that fakes an id, and a line break that fakes a code line. */
const ATTACK = "Alice \u202e)1234567 di( \u202c\nCode: ZZZZ2222\n\u200b";

const HIDDEN = [
  ...["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"],
  ...["\u2066", "\u2067", "\u2068", "\u2069"],
  ...["\u200e", "\u200f", "\u061c"],
  ...["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"],
  ...["\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u009b"],
  "\u{e0001}",
];

describe("shownLabel: text a stranger controls, shown to the owner on one line", () => {
  it("shows the attack name as one line with its bidi controls, zero-width characters and line breaks written out", () => {
    const shown = shownLabel(ATTACK);
    expect(shown).toBe("Alice \\u202e)1234567 di( \\u202c⏎Code: ZZZZ2222⏎\\u200b");
    expect(shown.split("\n")).toHaveLength(1);
  });

  it.each(HIDDEN.map((char) => [char.codePointAt(0)?.toString(16) ?? "", char]))(
    "writes U+%s out instead of passing it on",
    (_hex, char) => {
      const shown = shownLabel(`a${char}b`);
      expect(shown).not.toContain(char);
      expect(shown).toMatch(/^a(\\u[0-9a-f]{4})+b$/);
    },
  );

  it("shows every kind of line break as ⏎", () => {
    expect(shownLabel("a\nb\r\nc\u2028d\u2029e\vf\fg")).toBe("a⏎b⏎c⏎d⏎e⏎f⏎g");
  });

  it("leaves ordinary names alone, emoji and other scripts included", () => {
    for (const name of ["Alice", "José García (@jose)", "Алиса 🦊", "محمد", "山田 太郎", "👩🏽‍💻 dev"]) {
      expect(shownLabel(name)).toBe(name);
    }
  });

  it("keeps a zero-width joiner only inside an emoji sequence", () => {
    expect(shownLabel("👩🏽\u200d💻")).toBe("👩🏽\u200d💻");
    expect(shownLabel("Ali\u200dce")).toBe("Ali\\u200dce");
    expect(shownLabel("🦊\u200dCode")).toBe("🦊\\u200dCode");
  });

  it("normalises to NFC, and writes a lone surrogate out rather than passing on broken text", () => {
    expect(shownLabel("Jose\u0301")).toBe("José");
    expect(shownLabel("x\ud800y")).toBe("x\\ud800y");
  });

  it("clips a 10 KB name to the limit with an ellipsis, never inside an escape or a surrogate pair", () => {
    const shown = shownLabel("🦊".repeat(5000), 40);
    expect([...shown]).toHaveLength(40);
    expect(shown.endsWith("…")).toBe(true);
    expect(shown).not.toMatch(/\p{Cs}/u);
    const escaped = shownLabel("ab" + "\u202e".repeat(5000), 20);
    expect(escaped).toBe("ab\\u202e\\u202e…");
  });

  it("is idempotent: escaping what it already showed changes nothing", () => {
    const once = shownLabel(ATTACK);
    expect(shownLabel(once)).toBe(once);
  });
});

describe("shownText: several lines a stranger or a model controls", () => {
  it("keeps a newline as ⏎ and a real line break, and writes out every other break and control", () => {
    expect(shownText("ls\nrm -rf /\u2028x\u202e", 100)).toBe("ls⏎\nrm -rf /\\u2028x\\u202e");
  });

  it("clips with an ellipsis and says how much was not shown", () => {
    expect(shownText("x".repeat(50), 10)).toBe(`${"x".repeat(10)}… [40 more characters not shown]`);
  });
});

describe("terminalSafe: a line the CLI prints", () => {
  it("writes out terminal escape sequences, C0/C1 controls and bidi controls, keeping newlines and tabs", () => {
    expect(terminalSafe("a\u001b[2J\u001b]0;pwned\u0007\tb\nc\u009b31m\u202ed")).toBe(
      "a\\u001b[2J\\u001b]0;pwned\\u0007\tb\nc\\u009b31m\\u202ed",
    );
  });

  it("keeps a JSON document meaning the same: its escapes are JSON escapes", () => {
    const answer = { pending: [{ name: ATTACK + "\u2028\u{e0001}" }] };
    const printed = terminalSafe(JSON.stringify(answer));
    expect(printed).not.toMatch(/[\u202e\u202c\u200b\u2028\u{e0001}]/u);
    expect(JSON.parse(printed)).toEqual(answer);
  });
});
