import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { checkDrawbridgeConfig } from "../../shared/config/config-issues.js";
import { configVarsOf, type ConfigVars } from "../../shared/config/config-vars.js";
import type { DrawbridgeConfig } from "../../shared/config/drawbridge-config.js";
import { parseJsonc } from "../../shared/config/jsonc.js";

export const CONFIG_FILE_NAME = "drawbridge.config.json";

const projectRoot = join(import.meta.dirname, "..", "..");

/** A config file that cannot be used; the message names the file and the key path. */
export class ConfigFileError extends Error {
  override readonly name = "ConfigFileError";
}

export type LoadedConfig = {
  /** The file read, or null when there is none (all defaults). */
  path: string | null;
  config: DrawbridgeConfig;
  /** The Worker vars the file sets (before environment overrides). */
  vars: ConfigVars;
};

/** `DRAWBRIDGE_CONFIG`, else drawbridge.config.json at the project root. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): { path: string; explicit: boolean } {
  const named = env.DRAWBRIDGE_CONFIG?.trim();
  return named ? { path: resolve(named), explicit: true } : { path: join(projectRoot, CONFIG_FILE_NAME), explicit: false };
}

/**
 * Reads and checks the config file. No file at the default place means all defaults; a file named
 * by DRAWBRIDGE_CONFIG must exist. Errors are ConfigFileError, one line per problem, each starting
 * with the file's name: `drawbridge.config.json: access.dmPolicy is invalid: …`.
 */
export async function loadConfigFile(env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const { path, explicit } = configFilePath(env);
  const shown = shownPath(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === "ENOENT") return { path: null, config: {}, vars: {} };
    const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ConfigFileError(`${shown}: cannot read it (DRAWBRIDGE_CONFIG names it): ${why}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = parseJsonc(text);
  } catch (error) {
    throw new ConfigFileError(`${shown}: ${(error as Error).message}`, { cause: error });
  }
  const checked = checkDrawbridgeConfig(raw);
  if (!checked.ok) throw new ConfigFileError(checked.problems.map((problem) => `${shown}: ${problem}`).join("\n"));
  const written = raw as { access?: unknown; hooks?: unknown };
  return { path, config: checked.config, vars: configVarsOf(checked.config, written) };
}

/** The path as the user would type it: relative to where they are, when it is below. */
function shownPath(path: string): string {
  const below = relative(process.cwd(), path);
  return below !== "" && !below.startsWith("..") && !isAbsolute(below) ? below : path;
}
