/**
 * Drawbridge's chat commands as Discord application commands: one slash command per chat command
 * (what Discord users expect — each shows up in the `/` menu with its own description), each
 * with the string options its chat command takes. `drawbridge discord register-commands` PUTs
 * this list; the Worker turns an invocation back into the chat text Telegram would have seen.
 */
export type DiscordOption = { name: string; description: string; required: boolean; maxLength: number };
export type DiscordCommand = { name: string; description: string; options: DiscordOption[] };

export const DISCORD_COMMANDS: readonly DiscordCommand[] = [
  { name: "ask", description: "Ask the assistant (like a plain message)", options: [text("text", "What to ask", 4000)] },
  { name: "run", description: "Run a shell command on the home runner", options: [text("command", "The command line", 4000)] },
  { name: "read", description: "Read a file in the workspace", options: [text("path", "The file's path", 1000)] },
  {
    name: "write",
    description: "Write a file in the workspace",
    options: [text("path", "The file's path", 1000), text("content", "What to write", 4000)],
  },
  {
    name: "ls",
    description: "List a folder in the workspace",
    options: [{ ...text("path", "The folder (default .)", 1000), required: false }],
  },
  { name: "status", description: "Who you are here, the runner and the model", options: [] },
  { name: "whoami", description: "Your id and role on this gateway", options: [] },
  { name: "new", description: "Start a new conversation with the assistant", options: [] },
  { name: "model", description: "Which model the assistant uses", options: [] },
  { name: "help", description: "What you can do here", options: [] },
];

function text(name: string, description: string, maxLength: number): DiscordOption {
  return { name, description, required: true, maxLength };
}

/** The body of Discord's bulk overwrite (`PUT /applications/<id>/commands`): CHAT_INPUT commands with STRING options. */
export function registrationBody(): unknown[] {
  return DISCORD_COMMANDS.map((command) => ({
    name: command.name,
    description: command.description,
    type: 1,
    // Usable in guilds and in the bot's DMs (contexts 0 GUILD, 1 BOT_DM), installed to a guild.
    contexts: [0, 1],
    integration_types: [0],
    options: command.options.map((option) => ({
      type: 3,
      name: option.name,
      description: option.description,
      required: option.required,
      max_length: option.maxLength,
    })),
  }));
}

/**
 * The chat text an invocation stands for: `/ask <text>` is the text itself (a plain message, so
 * it reaches the assistant, or answers a pairing challenge), every other command is
 * `/<name> <options in order>`. Unknown names become `/<name>`, answered as unknown.
 */
export function chatTextOf(name: string, values: ReadonlyMap<string, string>): string {
  const command = DISCORD_COMMANDS.find((known) => known.name === name);
  if (!command) return `/${name}`;
  const args = command.options.map((option) => values.get(option.name) ?? "").filter((value) => value !== "");
  if (command.name === "ask") return args[0] ?? "";
  return [`/${command.name}`, ...args].join(" ");
}
