import { generateRunnerKey } from "../identity/runner-key.js";
import { startStack } from "../local-stack/start-stack.js";
import { stateDir } from "../runner-config.js";
import { runRunnerUntilSignal } from "../run-until-signal.js";
import { ACCESS_USAGE, accessCommand } from "./access-commands.js";
import { APPROVALS_USAGE, approvalsCommand } from "./approvals-commands.js";
import { chat, localAdminClient } from "./chat.js";
import { RUNNER_USAGE, runnerCommand } from "./runner-commands.js";
import { SANDBOX_USAGE, sandboxCommand } from "./sandbox-commands.js";
import { join } from "node:path";

const USAGE = `usage: drawbridge <command>

  start                 run the whole local stack (gateway + runner); prints READY <url>
  chat                  chat with the gateway as the owner (console channel)
  runner                run the home runner (DRAWBRIDGE_GATEWAY_URL, DRAWBRIDGE_RUNNER_NAME)
  runner keygen         create the runner's Ed25519 key (mode 0600; never overwrites)
${RUNNER_USAGE}
${SANDBOX_USAGE}
${ACCESS_USAGE}
${APPROVALS_USAGE}

State lives in $DRAWBRIDGE_STATE_DIR (default ./.drawbridge).`;

async function main(args: string[]): Promise<void> {
  const keyPath = process.env.DRAWBRIDGE_RUNNER_KEY ?? join(stateDir(), "runner-key.json");
  switch (args.join(" ")) {
    case "start":
      return startStack();
    case "chat":
      return chat();
    case "runner":
      return runRunnerUntilSignal();
    case "runner keygen": {
      const key = await generateRunnerKey(keyPath);
      process.stdout.write(`Created ${keyPath}\nkid ${key.kid}\npublic key ${JSON.stringify(key.publicJwk)}\n`);
      return;
    }
    default:
      if (args[0] === "runner" && (await runnerCommand(args.slice(1), keyPath, (line) => process.stdout.write(`${line}\n`)))) return;
      if (args[0] === "sandbox" && (await sandboxCommand(args.slice(1), (line) => process.stdout.write(`${line}\n`)))) return;
      if (
        await approvalsCommand(
          args,
          () => localAdminClient(),
          (line) => process.stdout.write(`${line}\n`),
        )
      )
        return;
      if (
        await accessCommand(
          args,
          () => localAdminClient(),
          (line) => process.stdout.write(`${line}\n`),
        )
      )
        return;
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = args.length === 0 || args[0] === "help" || args[0] === "--help" ? 0 : 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`drawbridge: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
