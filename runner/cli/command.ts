import { parseArgs } from "node:util";
import { UsageError, type ExitCode } from "./exit-codes.js";

export type Say = (line: string) => void;

export interface OptionSpec {
  type: "string" | "boolean";
  /** Shown in the command's --help, e.g. "<role>  trusted|limited|blocked". */
  help: string;
}

export interface CommandInput {
  positionals: string[];
  /** Parsed options by name; booleans are true when given. */
  options: Record<string, string | boolean | undefined>;
  /** `--json`: print the gateway's answer as one JSON document instead of lines (list and status commands). */
  json: boolean;
  say: Say;
}

/** One `drawbridge <words…>` command: its words, arguments, options and what it does. */
export interface Command {
  words: string;
  /** The positional arguments as shown in usage, e.g. "<code>" or "[channel]"; their count is checked from it. */
  args?: string;
  summary: string;
  /** Longer text for `--help`. */
  details?: string;
  options?: Record<string, OptionSpec>;
  /** Accepts --json (every list and status command). */
  json?: boolean;
  /** Resolves to the exit code when it is not simply 0 (e.g. `audit` exits 1 while a critical finding remains). */
  run(input: CommandInput): Promise<void | ExitCode>;
}

/** The command whose words start `argv` (longest match), and the rest of the line. */
export function findCommand(commands: readonly Command[], argv: string[]): { command: Command; rest: string[] } | null {
  let best: { command: Command; rest: string[] } | null = null;
  for (const command of commands) {
    const words = command.words.split(" ");
    if (words.every((word, i) => argv[i] === word) && (!best || words.length > best.command.words.split(" ").length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** Parses `rest` for `command` with node:util's parseArgs; `null` means --help was asked for. */
export function parseCommandLine(command: Command, rest: string[]): Omit<CommandInput, "say"> | null {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const [name, spec] of Object.entries(command.options ?? {})) options[name] = { type: spec.type };
  if (command.json) options.json = { type: "boolean" };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command.words);
  }
  const values: Record<string, string | boolean | undefined> = {};
  // No option is declared `multiple`, so every value is one string or boolean.
  for (const [name, value] of Object.entries(parsed.values)) values[name] = value;
  if (values.help === true) return null;
  const { min, max } = arity(command.args ?? "");
  const count = parsed.positionals.length;
  if (count < min || count > max) {
    const expected = command.args ? `expects ${command.args}` : "takes no arguments";
    throw new UsageError(
      `\`drawbridge ${command.words}\` ${expected}; got ${count === 0 ? "none" : parsed.positionals.join(" ")}`,
      command.words,
    );
  }
  return { positionals: parsed.positionals, options: values, json: values.json === true };
}

/** `<a> <b> [c]` → 2..3; a trailing `…` lets the last one repeat. */
function arity(args: string): { min: number; max: number } {
  const parts = args.split(/\s+/).filter(Boolean);
  const min = parts.filter((part) => part.startsWith("<")).length;
  return { min, max: parts.some((part) => part.includes("…")) ? Infinity : parts.length };
}

/** One usage line: `pairing approve <code> [--role <role>]   let the sender in`. */
export function usageLine(command: Command): string {
  const flags = Object.entries(command.options ?? {}).map(([name, spec]) => (spec.type === "string" ? `[--${name} …]` : `[--${name}]`));
  if (command.json) flags.push("[--json]");
  const left = [command.words, command.args, ...flags].filter(Boolean).join(" ");
  return `  ${left.padEnd(50)} ${command.summary}`;
}

export function commandHelp(command: Command): string {
  const lines = [`usage: drawbridge ${[command.words, command.args].filter(Boolean).join(" ")} [options]`, "", command.summary];
  if (command.details) lines.push("", command.details);
  lines.push("", "Options:");
  for (const [name, spec] of Object.entries(command.options ?? {}))
    lines.push(`  --${name}${spec.type === "string" ? " <value>" : ""}  ${spec.help}`);
  if (command.json) lines.push("  --json  print the gateway's answer as JSON (the shapes of shared/admin-api.ts)");
  lines.push("  --help  this text");
  return lines.join("\n");
}
