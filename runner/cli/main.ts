import { terminalSafe } from "../../shared/display/untrusted-label.js";
import { startStack } from "../local-stack/start-stack.js";
import { accessCommands } from "./access-commands.js";
import { AdminApiError, GatewayUnreachableError } from "./admin-client.js";
import { approvalsCommands } from "./approvals-commands.js";
import { auditCommand } from "./audit/audit-command.js";
import { ConfigFileError } from "../config/load-config-file.js";
import { chat, localAdminClient, MissingTokenError } from "./chat.js";
import { commandHelp, findCommand, parseCommandLine, usageLine, type Command } from "./command.js";
import { deployCommand } from "./deploy-command.js";
import { discordCommands } from "./discord-command.js";
import { EXIT_CODES_HELP, ExitCode, UsageError } from "./exit-codes.js";
import { runnerCommands } from "./runner-commands.js";
import { sandboxCommands } from "./sandbox-commands.js";
import { serviceCommands } from "./service-commands.js";
import { statusCommand } from "./status-command.js";

const client = () => localAdminClient();

const COMMANDS: Command[] = [
  { words: "start", summary: "run the whole local stack (gateway + runner); prints READY <url>", run: () => startStack() },
  { words: "chat", summary: "chat with the gateway as the owner (console channel)", run: () => chat() },
  deployCommand(),
  statusCommand(client),
  ...runnerCommands(client),
  ...serviceCommands(),
  ...sandboxCommands(),
  ...accessCommands(client),
  ...approvalsCommands(client),
  auditCommand(),
  ...discordCommands(),
];

const USAGE = `usage: drawbridge <command> [options]      (drawbridge <command> --help for one command)

${COMMANDS.map(usageLine).join("\n")}

Admin commands talk to DRAWBRIDGE_GATEWAY_URL (default http://127.0.0.1:$PORT, PORT 8787) with the
token in GATEWAY_TOKEN, or, for the local stack, the one \`npm start\` wrote to the state dir's
local-secrets.json. State lives in $DRAWBRIDGE_STATE_DIR (default ./.drawbridge).

${EXIT_CODES_HELP}`;

// Every line passes terminalSafe: names, labels and reasons come from senders and the model, and a
// terminal obeys escape sequences and bidi controls (a --json document keeps its meaning: JSON escapes).
const say = (line: string): void => void process.stdout.write(`${terminalSafe(line)}\n`);

async function main(argv: string[]): Promise<ExitCode> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    say(USAGE);
    return ExitCode.ok;
  }
  const found = findCommand(COMMANDS, argv);
  const typed = argv.filter((arg) => !arg.startsWith("-")).join(" ");
  // `runner lst` matches `runner` with a stray word: that is a mistyped subcommand, not an argument.
  const strayWord = found && !found.command.args && found.rest[0] !== undefined && !found.rest[0].startsWith("-");
  if (!found || (strayWord && COMMANDS.some((other) => other.words.startsWith(`${found.command.words} `)))) {
    throw new UsageError(`unknown command \`${typed}\``);
  }
  const input = parseCommandLine(found.command, found.rest);
  if (!input) {
    say(commandHelp(found.command));
    return ExitCode.ok;
  }
  return (await found.command.run({ ...input, say })) ?? ExitCode.ok;
}

/** One line on stderr and the exit code that names the kind of failure. */
function failure(error: unknown): ExitCode {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    const hint = error.command ? `drawbridge ${error.command} --help` : "drawbridge --help";
    process.stderr.write(`drawbridge: ${message}\nSee \`${hint}\`.\n`);
    return ExitCode.usage;
  }
  if (error instanceof ConfigFileError) {
    // Each line already starts with the file's name and the key path.
    process.stderr.write(`${message}\nEvery key: docs/config-reference.md.\n`);
    return ExitCode.usage;
  }
  process.stderr.write(`drawbridge: ${message}\n`);
  if (error instanceof GatewayUnreachableError) return ExitCode.unreachable;
  if (error instanceof MissingTokenError || (error instanceof AdminApiError && error.status === 401)) return ExitCode.unauthorized;
  return ExitCode.failure;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exit(failure(error));
  },
);
