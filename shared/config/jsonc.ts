/** A config file that is not JSON even with comments and trailing commas; `line`/`column` are 1-based (0: unknown). */
export class JsoncSyntaxError extends Error {
  override readonly name = "JsoncSyntaxError";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Parses JSON with comments (`//`, `/* *\/`) and trailing commas, as editors write a config file
 * (VS Code's "jsonc"). Comments become spaces of the same length, so JSON.parse's error position
 * still points into the original text.
 */
export function parseJsonc(text: string): unknown {
  const plain = withoutTrailingCommas(withoutComments(text));
  try {
    return JSON.parse(plain) as unknown;
  } catch (error) {
    // V8 quotes the text around an unexpected token; drop it, so no part of the file reaches a log line.
    const raw = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(raw);
    const reason = raw.replace(/, (?:\.\.\.)?".*$/s, "").replace(/ in JSON at position \d+.*$/s, "");
    if (!at) throw new JsoncSyntaxError(`not valid JSON: ${reason}`, 0, 0, { cause: error });
    const { line, column } = lineAndColumn(text, Number(at[1]));
    throw new JsoncSyntaxError(`not valid JSON at line ${line}, column ${column}: ${reason}`, line, column, { cause: error });
  }
}

/** Blanks out comments outside strings, keeping line breaks (and so line numbers). */
function withoutComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? "";
    if (char === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (char === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (char === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) {
        const { line, column } = lineAndColumn(text, i);
        throw new JsoncSyntaxError(`not valid JSON at line ${line}, column ${column}: a /* comment is never closed`, line, column);
      }
      out += text.slice(i, end + 2).replace(/[^\n]/g, " ");
      i = end + 2;
    } else {
      out += char;
      i += 1;
    }
  }
  return out;
}

/** Drops a comma that only whitespace separates from a closing `}` or `]` (outside strings). */
function withoutTrailingCommas(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? "";
    if (char === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (char === ",") {
      let next = i + 1;
      while (next < text.length && /\s/.test(text[next] ?? "")) next += 1;
      if (text[next] === "}" || text[next] === "]") {
        out += " ";
        i += 1;
        continue;
      }
    }
    out += char;
    i += 1;
  }
  return out;
}

/** The index just past the string literal that starts at `start` (or the text's end if unclosed). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === "\\") i += 2;
    else if (char === '"' || char === "\n") return i + 1;
    else i += 1;
  }
  return text.length;
}

function lineAndColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}
