import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ConfigVars } from "../../../shared/config/config-vars.js";
import { ConfigFileError, configFilePath, loadConfigFile } from "../../config/load-config-file.js";
import { stateDir as resolveStateDir } from "../../runner-config.js";

/** A setting's value and where it came from, in words for a finding ("the environment", a file path). */
export type Setting = { value: string; from: string };

/** Names the audit reads: the Worker's vars and secrets as `npm start` hands them over. */
export const AUDITED_SETTINGS = [
  "DRAWBRIDGE_ACCESS",
  "DRAWBRIDGE_HOOKS",
  "DRAWBRIDGE_OWNER",
  "DRAWBRIDGE_MODEL",
  "DRAWBRIDGE_MODEL_BASE_URL",
  "DRAWBRIDGE_MODEL_API_KEY",
  "GATEWAY_TOKEN",
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_API_ROOT",
] as const;
export type AuditedSetting = (typeof AUDITED_SETTINGS)[number];

/** A file the audit read whole (to look for keys in it, or to tighten it with --fix). */
export type ReadFileText = { path: string; text: string };

/**
 * Everything the offline checks look at. This is the one place that knows where the config comes
 * from, in the order `npm start` and `drawbridge deploy` apply it: the environment, then the config
 * file (`drawbridge.config.json` or DRAWBRIDGE_CONFIG, through the runner's own loader), then the
 * env file the last `npm start` wrote (`<state dir>/dev.vars`).
 */
export type AuditSources = {
  stateDir: string;
  env: NodeJS.ProcessEnv;
  settings: Partial<Record<AuditedSetting, Setting>>;
  /** The env file `npm start` writes for `wrangler dev`, when there is one. */
  envFile: ReadFileText | null;
  /** The gateway config file (`drawbridge.config.json` or DRAWBRIDGE_CONFIG); null when there is none. */
  configFile: ReadFileText | null;
  /** Why the config file was refused (its loader's message: file and key paths, no values); null when it loads. */
  configProblem: string | null;
  /** Files whose text may hold a pasted key: the env file, the config file, the runner's runner.json, wrangler.toml. */
  scanned: ReadFileText[];
};

export const ENV_FILE = "dev.vars";

export async function loadAuditSources(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<AuditSources> {
  const stateDir = resolveStateDir(env);
  const envFile = await readIfThere(join(stateDir, ENV_FILE));
  const fileVars = envFile ? parseEnvFile(envFile.text) : {};
  const secretsFile = await readIfThere(join(stateDir, "local-secrets.json"));
  const configPath = configFilePath(env).path;
  const configFile = await readIfThere(configPath);
  let configVars: ConfigVars = {};
  let configProblem: string | null = null;
  try {
    configVars = (await loadConfigFile(env)).vars;
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    configProblem = error.message;
  }
  const settings: Partial<Record<AuditedSetting, Setting>> = {};
  for (const name of AUDITED_SETTINGS) {
    // The environment wins over the config file, as it does for `npm start` and `drawbridge deploy`.
    const fromEnv = env[name]?.trim();
    const fromConfig = (configVars as Partial<Record<string, string>>)[name];
    const fromFile = fileVars[name];
    if (fromEnv) settings[name] = { value: fromEnv, from: `the ${name} environment variable` };
    else if (fromConfig) settings[name] = { value: fromConfig, from: configPath };
    else if (fromFile !== undefined && fromFile !== "" && envFile) settings[name] = { value: fromFile, from: envFile.path };
  }
  if (!settings.GATEWAY_TOKEN && secretsFile) {
    const stored = storedToken(secretsFile.text);
    if (stored) settings.GATEWAY_TOKEN = { value: stored, from: secretsFile.path };
  }
  const runnerFile = await readIfThere(env.DRAWBRIDGE_RUNNER_CONFIG ?? join(stateDir, "runner.json"));
  const wrangler = await readIfThere(join(cwd, "wrangler.toml"));
  const scanned = [envFile, configFile, runnerFile, wrangler].filter((file): file is ReadFileText => file !== null);
  return { stateDir, env, settings, envFile, configFile, configProblem, scanned };
}

/** `NAME='value'` lines as `npm start` writes them; hand-edited `NAME=value` and `NAME="value"` too. */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1] || line.trimStart().startsWith("#")) continue;
    const raw = match[2] ?? "";
    const quoted = /^(['"])(.*)\1$/.exec(raw);
    vars[match[1]] = quoted ? (quoted[2] ?? "") : raw;
  }
  return vars;
}

function storedToken(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && "GATEWAY_TOKEN" in parsed && typeof parsed.GATEWAY_TOKEN === "string") {
      return parsed.GATEWAY_TOKEN;
    }
  } catch {
    // Not JSON: no stored token to audit.
  }
  return null;
}

async function readIfThere(path: string): Promise<ReadFileText | null> {
  try {
    return { path, text: await readFile(path, "utf8") };
  } catch {
    return null;
  }
}
