import { withEnvOverrides, type ConfigVars } from "../../shared/config/config-vars.js";
import { overrideProblems } from "../../shared/config/env-overrides.js";
import { ConfigFileError, loadConfigFile, type LoadedConfig } from "./load-config-file.js";

/**
 * The Worker vars from the config file with environment overrides applied (env > file > defaults).
 * The one function `npm start` (into wrangler dev's env file) and `drawbridge deploy` (as
 * `wrangler deploy --var`) both build their vars with, so local and deployed cannot drift.
 * An override the Worker would refuse is refused here too, naming the variable (exit 2).
 */
export async function gatewayVars(env: NodeJS.ProcessEnv = process.env): Promise<{ file: LoadedConfig; vars: ConfigVars }> {
  const file = await loadConfigFile(env);
  const problems = overrideProblems(env);
  if (problems.length > 0) throw new ConfigFileError(problems.join("\n"));
  return { file, vars: withEnvOverrides(file.vars, env) };
}
