import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { CONFIG_VAR_NAMES, type ConfigVars } from "../../shared/config/config-vars.js";
import { gatewayVars } from "../config/gateway-vars.js";
import type { Command } from "./command.js";

const projectRoot = join(import.meta.dirname, "..", "..");

/** `wrangler deploy`'s arguments for these vars: one `--var KEY:VALUE` each (wrangler splits at the first colon). */
export function wranglerDeployArgs(vars: ConfigVars, options: { dryRun: boolean }): string[] {
  const args = ["deploy"];
  for (const name of CONFIG_VAR_NAMES) {
    const value = vars[name];
    if (value !== undefined) args.push("--var", `${name}:${value}`);
  }
  if (options.dryRun) args.push("--dry-run");
  return args;
}

/** A shell word that stays one word and literal (POSIX single quotes). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command line as a user would paste it, one `--var` per line. */
export function printedCommand(args: string[]): string {
  const parts = ["npx wrangler"];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--var") {
      parts.push(` \\\n  --var ${shellQuote(args[i + 1] ?? "")}`);
      i += 1;
    } else parts.push(` ${shellQuote(arg)}`);
  }
  return parts.join("");
}

/**
 * `drawbridge deploy`: `wrangler deploy` with the config file's settings as vars, built by the same
 * function `npm start` builds the local gateway's with (runner/config/gateway-vars.ts), so local
 * and deployed behaviour cannot drift. Secrets stay `wrangler secret put …`.
 */
export function deployCommand(): Command {
  return {
    words: "deploy",
    summary: "deploy the gateway with wrangler, with drawbridge.config.json's settings as vars",
    details: [
      "Reads drawbridge.config.json at the project root (or the file DRAWBRIDGE_CONFIG names); a",
      "non-empty environment variable of the same var (DRAWBRIDGE_OWNER, DRAWBRIDGE_ACCESS, …) wins",
      "over the file. Keys the file leaves out keep wrangler.toml's [vars]. Secrets are never read or",
      "passed: set them once with `npx wrangler secret put <NAME>` (docs/deploy.md).",
    ].join("\n"),
    options: {
      print: { type: "boolean", help: "print the wrangler command instead of running it" },
      "dry-run": { type: "boolean", help: "pass --dry-run to wrangler: build and check, upload nothing" },
    },
    async run({ options, say }) {
      const { file, vars } = await gatewayVars();
      const args = wranglerDeployArgs(vars, { dryRun: options["dry-run"] === true });
      if (options.print === true) {
        say(printedCommand(args));
        return;
      }
      const from = file.path ? file.path : "no config file (wrangler.toml's [vars] only)";
      say(`Deploying with ${Object.keys(vars).length} setting(s) from ${from}: ${Object.keys(vars).join(", ") || "none"}.`);
      if (!vars.DRAWBRIDGE_OWNER)
        say("No owner in the config file or DRAWBRIDGE_OWNER: the gateway refuses to serve until wrangler.toml names one.");
      const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
      const child = spawn(process.execPath, [wrangler, ...args], { cwd: projectRoot, stdio: "inherit" });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", resolve);
      });
      if (code !== 0) throw new Error(`wrangler deploy exited with code ${code}`);
    },
  };
}
