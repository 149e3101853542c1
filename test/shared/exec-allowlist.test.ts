import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideTool } from "../../shared/policy/decide-tool.js";
import { matchesPattern, patternProblem } from "../../shared/policy/exec-allowlist.js";
import { parseCommand, quoteCommand } from "../../shared/policy/shell-words.js";
import { ToolPolicyConfig } from "../../shared/policy/tool-policy-config.js";

const ALLOWLIST = ["git status", "git log *", "ls *", "cat *.md", "echo *", "grep -n * notes.txt", "printf"];

/** A trusted sender's policy with this allowlist; `ask` decides what a miss becomes. */
function policy(ask: "off" | "on-miss" | "always") {
  return ToolPolicyConfig.parse({ roles: { trusted: { exec: { ask, allowlist: ALLOWLIST } } } });
}
const trusted = { role: "trusted" as const, senderId: "42" };
const run = (command: string, ask: "off" | "on-miss" | "always" = "off") =>
  decideTool(policy(ask), trusted, { tool: "exec", args: { command } });

describe("shell words: what the allowlist sees", () => {
  it.each([
    ["git status", ["git", "status"]],
    ["  git\tstatus  ", ["git", "status"]],
    ["echo 'a;b'", ["echo", "a;b"]],
    ["echo 'a  b' c", ["echo", "a  b", "c"]],
    ['echo "a;b|c&&d"', ["echo", "a;b|c&&d"]],
    ["echo 'it'\\''s'", ["echo", "it's"]],
    ['echo "say \\"hi\\" \\$HOME"', ["echo", 'say "hi" $HOME']],
    ["echo a\\;b", ["echo", "a;b"]],
    ["echo '$(id)' '`id`'", ["echo", "$(id)", "`id`"]],
    ["echo '' x", ["echo", "", "x"]],
    ["echo a#b", ["echo", "a#b"]],
    ["echo ''#x", ["echo", "#x"]],
    ["ech''o hi", ["echo", "hi"]],
  ])("%j is the simple command %j", (command, argv) => {
    expect(parseCommand(command)).toEqual({ simple: true, argv });
  });

  it.each([
    ["git status; rm -rf ~", '";"'],
    ["git status && id", '"&"'],
    ["git status || id", '"|"'],
    ["git status | sh", '"|"'],
    ["git status & id", '"&"'],
    ["git status > /etc/passwd", '">"'],
    ["cat < /etc/shadow", '"<"'],
    ["echo $(id)", '"$"'],
    ['echo "$(id)"', '"$" inside double quotes'],
    ["echo `id`", '"`"'],
    ['echo "`id`"', "double quotes"],
    ["echo $HOME", '"$"'],
    ["echo ${HOME}", '"$"'],
    ["git status\nid", "a newline"],
    ["git status\r\nid", "a carriage return"],
    ["echo 'a\nb'", "a newline"],
    ["git status\u0000id", "a NUL byte"],
    ["echo 'unbalanced", "unbalanced single quote"],
    ['echo "unbalanced', "unbalanced double quote"],
    ["echo trailing\\", "lone backslash"],
    ["ls *", '"*"'],
    ["ls ~", "home-directory"],
    ["echo hi # comment", "comment"],
    ["(id)", '"("'],
    ["", "empty"],
    ["   ", "empty"],
  ])("%j is not a simple command (%s)", (command, why) => {
    const parsed = parseCommand(command);
    expect(parsed.simple).toBe(false);
    if (!parsed.simple) expect(parsed.reason).toContain(why);
  });
});

describe("allowlist patterns against the parsed command", () => {
  it.each([
    ["git status", "allow"],
    ["git  status", "allow"],
    ["'git' \"status\"", "allow"],
    ["git status --short", "deny"],
    ["git log", "allow"],
    ["git log --oneline -5", "allow"],
    ["git push", "deny"],
    ["/usr/bin/git status", "deny"],
    ["GIT status", "deny"],
    ["cat README.md", "allow"],
    ["cat 'my notes.md'", "allow"],
    ["cat README.md.sh", "deny"],
    ["cat a.md b.md", "deny"],
    ["grep -n TODO notes.txt", "allow"],
    ["grep -n TODO other.txt", "deny"],
    ["printf", "allow"],
    ["printf x", "deny"],
    // Smuggling a second command: every one of these is refused, never run as "git status".
    ["git status; rm -rf ~", "deny"],
    ["git status;id", "deny"],
    ["git status && id", "deny"],
    ["git status || id", "deny"],
    ["git status | sh", "deny"],
    ["git status & id", "deny"],
    ["git log $(id)", "deny"],
    ['git log "$(id)"', "deny"],
    ["git log `id`", "deny"],
    ["git status\nid", "deny"],
    ["git status\\\nid", "deny"],
    ["echo hi > ~/.bashrc", "deny"],
    ["ls 'x' ;id", "deny"],
    ['ls "x";id', "deny"],
    ['ls "x\'";id', "deny"],
    // Quoting that keeps a metacharacter inside one argument is fine: it is data, not shell.
    ["echo 'a;b'", "allow"],
    ["echo 'a && b' '$(id)'", "allow"],
    ['echo "a | b"', "allow"],
    ["ls 'x;id'", "allow"],
  ])("%j → %s", (command, expected) => {
    expect(run(command).kind).toBe(expected);
  });

  it("a miss asks the owner with ask on-miss, and says why a compound command cannot match", () => {
    const decision = run("git status; id", "on-miss");
    expect(decision.kind).toBe("ask");
    if (decision.kind === "ask") {
      expect(decision.reason).toContain("not a simple command");
      expect(decision.request).toEqual({ tool: "exec", args: { command: "git status; id" } });
    }
  });

  it("a miss with ask off is refused with a sentence naming the layer", () => {
    const decision = run("git push");
    expect(decision).toEqual({
      kind: "deny",
      reason: '"git push" is not on the exec allowlist of your role (trusted), and the owner is not asked (exec ask "off").',
    });
  });

  it("ask always asks even for an allowlisted command, carrying the re-quoted command", () => {
    expect(run("git status", "always")).toMatchObject({ kind: "ask", request: { args: { command: "'git' 'status'" } } });
  });

  it("an allowed command runs re-quoted, so sh -c sees exactly the argv that matched", () => {
    expect(run("echo 'it'\\''s' \"a;b\"")).toEqual({
      kind: "allow",
      request: { tool: "exec", args: { command: "'echo' 'it'\\''s' 'a;b'" } },
    });
  });

  it.each([
    ["git *", null],
    ["* status", "literal"],
    ["git status; id", "shell characters"],
    ["git 'status'", "shell characters"],
    ["git $(id)", "shell characters"],
    ["", "empty"],
    [" git", "spaces"],
    ["\u0435cho", "shell characters"],
  ])("pattern %j: %s", (pattern, problem) => {
    const found = patternProblem(pattern);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it("an invalid pattern never matches", () => {
    expect(matchesPattern("* *", ["anything"])).toBe(false);
  });
});

describe("smuggling fuzz", () => {
  const allowed = fc.constantFrom("git status", "git log", "ls -la", "echo hi", "cat a.md", "printf");
  const smuggle = fc.constantFrom(
    ";",
    "&&",
    "||",
    "|",
    "&",
    "\n",
    "$(id)",
    "`id`",
    "$HOME",
    ">x",
    "<x",
    '"$(id)"',
    '"`id`"',
    "'",
    '"',
    "\\\n",
  );
  const filler = fc.string({ unit: fc.constantFrom(..."ab '\"\\-".split("")), maxLength: 6 });
  it("an allowlisted command with an operator or expansion spliced in anywhere outside single quotes is never allowed", () => {
    fc.assert(
      fc.property(allowed, fc.nat(), smuggle, filler, (base, at, op, tail) => {
        const cut = at % (base.length + 1);
        const command = base.slice(0, cut) + op + base.slice(cut) + " " + tail;
        for (const ask of ["off", "on-miss"] as const) {
          const decision = run(command, ask);
          if (decision.kind === "allow") {
            // Only possible when the splice was harmlessly quoted data: then what runs is the parsed argv.
            const parsed = parseCommand(command);
            expect(parsed.simple).toBe(true);
            expect(decision.request).toEqual({ tool: "exec", args: { command: quoteCommand(parsed.simple ? parsed.argv : []) } });
            expect(command.includes("'") || command.includes('"') || command.includes("\\")).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("re-quoting round-trips", () => {
  const argument = fc.string({ unit: fc.constantFrom(..."ab '\"\\$`;&|<>(){}*?[]~#!\t\u00e9\u0435=".split("")), maxLength: 12 });
  it("the quoted command parses back to the same argv, whatever the arguments hold", () => {
    fc.assert(
      fc.property(fc.array(argument, { minLength: 1, maxLength: 6 }), (argv) => {
        expect(parseCommand(quoteCommand(argv))).toEqual({ simple: true, argv });
      }),
      { numRuns: 500 },
    );
  });

  it("parsing is idempotent through re-quoting for any string that parses", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab '\"\\$;|*\t".split("")), maxLength: 16 }), (command) => {
        const parsed = parseCommand(command);
        if (parsed.simple) expect(parseCommand(quoteCommand(parsed.argv))).toEqual(parsed);
      }),
      { numRuns: 1000 },
    );
  });
});
