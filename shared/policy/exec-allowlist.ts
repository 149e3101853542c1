import { z } from "zod";

/**
 * Exec allowlist patterns, matched against the parsed argv of a simple command (shell-words.ts),
 * never against the raw text, so `git status; rm -rf ~` cannot pass as `git status`.
 *
 * Syntax: words separated by spaces, compared with the command's arguments one by one, exactly
 * and case-sensitively.
 * - The first word is the program and is always literal: `git` admits `git`, not `/usr/bin/git`.
 * - `*` inside a word matches any characters within that one argument: `--max-count=*`, `*.md`.
 * - A word that is only `*` matches exactly one argument of any content, except as the LAST word,
 *   where it matches all remaining arguments (zero or more): `ls *` admits `ls`, `ls -la notes`.
 * - No quotes, backslashes or other shell characters, so a pattern means what it shows. A `*`
 *   admits options too: list exact forms for programs whose options run other programs
 *   (`find -exec`, `git -c`, `env`, `xargs`).
 */
export const MAX_PATTERN_LENGTH = 200;

const PATTERN_WORD = /^[A-Za-z0-9_@%+=:,./*-]+$/;

export const ExecPattern = z
  .string()
  .max(MAX_PATTERN_LENGTH)
  .superRefine((pattern, context) => {
    const problem = patternProblem(pattern);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });
export type ExecPattern = z.infer<typeof ExecPattern>;

/** Why a pattern is refused, or null when it is valid. */
export function patternProblem(pattern: string): string | null {
  const words = patternWords(pattern);
  const first = words[0];
  if (first === undefined) return "the pattern is empty";
  if (pattern !== pattern.trim()) return "the pattern has spaces around it";
  for (const word of words) {
    if (!PATTERN_WORD.test(word)) {
      return `the pattern word ${JSON.stringify(word)} may hold only letters, digits, _ @ % + = : , . / - and * (no quotes or shell characters)`;
    }
  }
  if (first.includes("*")) return "the first word (the program) must be literal, without *";
  return null;
}

function patternWords(pattern: string): string[] {
  return pattern.split(/[ \t]+/).filter((word) => word !== "");
}

/** Whether one argument matches one pattern word (`*` = any characters within the argument). */
function matchesWord(word: string, argument: string): boolean {
  if (!word.includes("*")) return word === argument;
  const source = word
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${source}$`, "u").test(argument);
}

/** Whether the parsed argv of a simple command matches the pattern. */
export function matchesPattern(pattern: string, argv: readonly string[]): boolean {
  if (patternProblem(pattern) !== null) return false;
  const words = patternWords(pattern);
  const restWildcard = words.length > 1 && words[words.length - 1] === "*";
  const fixed = restWildcard ? words.slice(0, -1) : words;
  if (restWildcard ? argv.length < fixed.length : argv.length !== fixed.length) return false;
  return fixed.every((word, index) => matchesWord(word, argv[index] ?? ""));
}

/** Whether the argv matches any pattern of the list. */
export function matchesAllowlist(patterns: readonly string[], argv: readonly string[]): boolean {
  return patterns.some((pattern) => matchesPattern(pattern, argv));
}
