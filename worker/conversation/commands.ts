/** A chat command as the sender typed it. Unknown commands are kept so they can be answered. */
export type ChatCommand =
  { kind: "run"; command: string } | { kind: "ls"; path: string } | { kind: "help" } | { kind: "unknown"; name: string } | { kind: "text" };

// `/run@MyBot ls` is how Telegram addresses a command to one bot in a group.
const COMMAND = /^\/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;

export function parseCommand(text: string): ChatCommand {
  const match = COMMAND.exec(text.trim());
  if (!match) return { kind: "text" };
  const name = (match[1] ?? "").toLowerCase();
  const rest = (match[2] ?? "").trim();
  switch (name) {
    case "run":
      return { kind: "run", command: rest };
    case "ls":
      return { kind: "ls", path: rest };
    case "help":
    case "start":
      return { kind: "help" };
    default:
      return { kind: "unknown", name };
  }
}

/** The runner tool a command calls, or null for commands answered at the edge. Rate limits and audits key on it. */
export function toolOf(command: ChatCommand): "exec" | "ls" | null {
  if (command.kind === "run") return "exec";
  if (command.kind === "ls") return "ls";
  return null;
}
