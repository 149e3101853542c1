import type { ToolName, ToolRequest } from "../../shared/tools/tool-call.js";

/** A chat command as the sender typed it. Unknown commands are kept so they can be answered. */
export type ChatCommand =
  | { kind: "run"; command: string }
  | { kind: "read"; path: string }
  | { kind: "write"; path: string; content: string }
  | { kind: "ls"; path: string }
  | { kind: "status" }
  | { kind: "whoami" }
  | { kind: "help" }
  | { kind: "new" }
  | { kind: "model" }
  | { kind: "unknown"; name: string }
  | { kind: "text" };

// `/run@MyBot ls` is how Telegram addresses a command to one bot in a group. The rest is kept raw
// (leading whitespace included) because /write's content is taken verbatim.
const COMMAND = /^\/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:(\s[\s\S]*))?$/;

export function parseCommand(text: string): ChatCommand {
  const match = COMMAND.exec(text.trimStart());
  if (!match) return { kind: "text" };
  const name = (match[1] ?? "").toLowerCase();
  const rest = match[2] ?? "";
  switch (name) {
    case "run":
      return { kind: "run", command: rest.trim() };
    case "read":
      return { kind: "read", path: rest.trim() };
    case "write":
      return { kind: "write", ...splitWrite(rest) };
    case "ls":
      return { kind: "ls", path: rest.trim() };
    case "status":
      return { kind: "status" };
    case "whoami":
      return { kind: "whoami" };
    case "help":
    case "start":
      return { kind: "help" };
    case "new":
    case "reset":
      return { kind: "new" };
    case "model":
      return { kind: "model" };
    default:
      return { kind: "unknown", name };
  }
}

/**
 * `/write <path> <content>`: the path is the first word; the content is everything after it,
 * verbatim, except the spaces after the path and at most one line break, so both
 * `/write a.txt hello` and `/write a.txt⏎line 1⏎  line 2` say what they mean.
 */
function splitWrite(rest: string): { path: string; content: string } {
  const args = rest.replace(/^\s+/, "");
  const path = /^\S*/.exec(args)?.[0] ?? "";
  const content = args
    .slice(path.length)
    .replace(/^[ \t]*/, "")
    .replace(/^\r?\n/, "");
  return { path, content };
}

/** The runner tool a command calls, or null for commands answered at the edge. Rate limits and audits key on it. */
export function toolOf(command: ChatCommand): ToolName | null {
  switch (command.kind) {
    case "run":
      return "exec";
    case "read":
    case "write":
    case "ls":
      return command.kind;
    default:
      return null;
  }
}

/** What a tool command asks the runner for, with the label quoted in late replies; or how to use it. */
export type CommandCall = { kind: "call"; request: ToolRequest; label: string } | { kind: "usage"; text: string };

export function commandCall(command: ChatCommand): CommandCall | null {
  switch (command.kind) {
    case "run":
      if (!command.command) return { kind: "usage", text: "Usage: /run <command>, e.g. /run echo hello" };
      return { kind: "call", request: { tool: "exec", args: { command: command.command } }, label: `/run ${command.command}` };
    case "read":
      if (!command.path) return { kind: "usage", text: "Usage: /read <path>, e.g. /read notes/todo.md" };
      return { kind: "call", request: { tool: "read", args: { path: command.path } }, label: `/read ${command.path}` };
    case "write":
      // Empty content is refused: a slip of the thumb must not empty a file. (`/run : > file` does that on purpose.)
      if (!command.path || !command.content) {
        return { kind: "usage", text: "Usage: /write <path> <content> — the content may span lines, e.g.\n/write notes/todo.md\nbuy milk" };
      }
      return {
        kind: "call",
        request: { tool: "write", args: { path: command.path, content: command.content } },
        label: `/write ${command.path}`,
      };
    case "ls":
      return {
        kind: "call",
        request: { tool: "ls", args: command.path ? { path: command.path } : {} },
        label: `/ls ${command.path}`.trim(),
      };
    default:
      return null;
  }
}
