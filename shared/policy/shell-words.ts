/**
 * A small tokenizer for the POSIX-shell subset an exec allowlist can trust: words separated by
 * spaces or tabs, single quotes, double quotes and backslash escapes. Anything that would make the
 * shell do more than run one program with literal arguments — control operators, redirections,
 * expansions, globs, comments, newlines, control characters, unbalanced quotes — makes the command
 * "not simple", and a command that is not simple never matches an allowlist entry.
 */
export type ParsedCommand = { simple: true; argv: string[] } | { simple: false; reason: string };

/** Characters that end or change a command when unquoted: `;` `&` `|` `<` `>` `(` `)` and newlines. */
const OPERATORS = new Set([";", "&", "|", "<", ">", "(", ")"]);
/** Unquoted characters the shell expands: parameters, commands, pathname globs, braces. */
const EXPANSIONS = new Set(["$", "`", "*", "?", "[", "]", "{", "}"]);

export function parseCommand(command: string): ParsedCommand {
  // Newlines, NUL and every other control character except tab are refused even inside quotes.
  const control = [...command].find(isControl);
  if (control !== undefined) return notSimple(`it contains a control character (${describe(control)})`);
  const argv: string[] = [];
  let word: string | null = null;
  let i = 0;
  while (i < command.length) {
    const c = command.charAt(i);
    if (c === " " || c === "\t") {
      if (word !== null) argv.push(word);
      word = null;
      i += 1;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return notSimple("it has an unbalanced single quote");
      word = (word ?? "") + command.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      const quoted = readDoubleQuoted(command, i + 1);
      if (!quoted.ok) return notSimple(quoted.reason);
      word = (word ?? "") + quoted.text;
      i = quoted.end + 1;
    } else if (c === "\\") {
      if (i + 1 >= command.length) return notSimple("it ends with a lone backslash");
      word = (word ?? "") + command.charAt(i + 1);
      i += 2;
    } else if (OPERATORS.has(c)) {
      return notSimple(`it contains the shell operator "${c}"`);
    } else if (EXPANSIONS.has(c)) {
      return notSimple(`it contains "${c}" outside quotes (a shell expansion)`);
    } else if (word === null && (c === "#" || c === "~")) {
      return notSimple(`a word starts with "${c}" (${c === "#" ? "a comment" : "a home-directory expansion"})`);
    } else {
      word = (word ?? "") + c;
      i += 1;
    }
  }
  if (word !== null) argv.push(word);
  if (argv.length === 0) return notSimple("it is empty");
  return { simple: true, argv };
}

/** Inside double quotes `$` and backticks still expand, so they are refused; `\` escapes only `$ \` " \\`. */
function readDoubleQuoted(command: string, start: number): { ok: true; text: string; end: number } | { ok: false; reason: string } {
  let text = "";
  let i = start;
  while (i < command.length) {
    const c = command.charAt(i);
    if (c === '"') return { ok: true, text, end: i };
    if (c === "$" || c === "`") return { ok: false, reason: `it contains "${c}" inside double quotes (a shell expansion)` };
    if (c === "\\") {
      const next = command.charAt(i + 1);
      if (next === "$" || next === "`" || next === '"' || next === "\\") {
        text += next;
        i += 2;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  return { ok: false, reason: "it has an unbalanced double quote" };
}

/** One argument, single-quoted so `sh -c` reads it back byte for byte (a `'` becomes `'\''`). */
export function quoteWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command `sh -c` must run so that the program sees exactly `argv`. */
export function quoteCommand(argv: readonly string[]): string {
  return argv.map(quoteWord).join(" ");
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== "\t") || code === 0x7f;
}

function notSimple(reason: string): ParsedCommand {
  return { simple: false, reason };
}

function describe(char: string): string {
  if (char === "\n") return "a newline";
  if (char === "\r") return "a carriage return";
  if (char === "\u0000") return "a NUL byte";
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}
