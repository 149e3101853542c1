import { mkdir, writeFile } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stateDir } from "../runner-config.js";
import { enableSteps, runnerUnit, UNIT_NAME } from "../service/systemd-unit.js";
import type { Command } from "./command.js";
import { UsageError } from "./exit-codes.js";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `drawbridge runner service install [--user] [--print]`. */
export function serviceCommands(env: NodeJS.ProcessEnv = process.env): Command[] {
  return [
    {
      words: "runner service install",
      summary: "write a hardened systemd unit that runs this runner, and say how to enable it",
      details:
        "The unit runs `drawbridge runner` from this checkout with this state dir, gateway URL and runner name.\n" +
        "System unit (default): /etc/systemd/system/drawbridge-runner.service, as --as (default: you), with the docker group.\n" +
        "--user: ~/.config/systemd/user/drawbridge-runner.service; you must already be in the docker group.",
      options: {
        user: { type: "boolean", help: "a user unit (systemctl --user) instead of a system one" },
        print: { type: "boolean", help: "print the unit instead of writing it" },
        "gateway-url": { type: "string", help: "the gateway's URL (default: DRAWBRIDGE_GATEWAY_URL)" },
        as: { type: "string", help: "the account a system unit runs as (default: SUDO_USER, else you)" },
      },
      async run({ options, say }) {
        const user = options.user === true;
        const gatewayUrl = typeof options["gateway-url"] === "string" ? options["gateway-url"] : env.DRAWBRIDGE_GATEWAY_URL;
        if (!gatewayUrl)
          throw new UsageError(
            "the runner needs the gateway's URL: pass --gateway-url or set DRAWBRIDGE_GATEWAY_URL",
            "runner service install",
          );
        const account = typeof options.as === "string" ? options.as : (env.SUDO_USER ?? userInfo().username);
        const unit = runnerUnit({
          user,
          account,
          node: process.execPath,
          entry: join(PROJECT, "runner", "bin", "drawbridge.js"),
          workingDirectory: PROJECT,
          stateDir: stateDir(env),
          gatewayUrl,
          runnerName: env.DRAWBRIDGE_RUNNER_NAME ?? "home",
        });
        if (options.print === true) return say(unit);
        const path = user
          ? join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "systemd", "user", UNIT_NAME)
          : join("/etc/systemd/system", UNIT_NAME);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, unit, { mode: 0o644 });
        say(`Wrote ${path}. To start it now and at every boot:`);
        for (const step of enableSteps(user, account)) say(`  ${step}`);
      },
    },
  ];
}
