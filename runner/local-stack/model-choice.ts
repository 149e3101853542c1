import { findHomeModel, homeModelCandidates, type HomeModelServer } from "./find-home-model.js";

/** What `npm start` adds for a model it found: `gateway` into the env file, `runner` into the runner's environment. */
export type ModelChoice = { gateway: Record<string, string>; runner: Record<string, string>; line: string };

const HOW_TO =
  "set DRAWBRIDGE_MODEL (e.g. openai:gpt-4o-mini with DRAWBRIDGE_MODEL_API_KEY), or start Ollama or LM Studio; see docs/assistant.md";

/**
 * The model the local stack uses, and one line that names it (never the key). A model set in the
 * environment wins; without one, a model server on this machine's loopback (Ollama, LM Studio,
 * DRAWBRIDGE_HOME_MODEL_URL) serves through the `home:` provider; else the assistant is off.
 */
export async function chooseModel(
  env: NodeJS.ProcessEnv,
  find: () => Promise<HomeModelServer | null> = () => findHomeModel(homeModelCandidates(env)),
): Promise<ModelChoice> {
  const configured = env.DRAWBRIDGE_MODEL?.trim() ?? "";
  if (configured === "") {
    const found = await find();
    if (!found) return { gateway: {}, runner: {}, line: `Model: none, the assistant is off (commands work); ${HOW_TO}.` };
    return {
      gateway: { DRAWBRIDGE_MODEL: `home:${found.model}` },
      runner: { DRAWBRIDGE_HOME_MODEL_URL: found.baseUrl },
      line: `Model: home:${found.model}, found at ${found.baseUrl} and reached through the runner (DRAWBRIDGE_MODEL picks another).`,
    };
  }
  // A configured model reaches the env file from the environment (ensureLocalSecrets, MODEL_SETTINGS): nothing to add.
  const gateway = {};
  const baseUrl = env.DRAWBRIDGE_MODEL_BASE_URL?.trim();
  const provider = configured.slice(0, Math.max(configured.indexOf(":"), 0));
  if (provider === "home") {
    // home: without a URL: the runner still needs to know where the server is, so look for one.
    const named = env.DRAWBRIDGE_HOME_MODEL_URL?.trim();
    const found = named ? null : await find();
    const runner: Record<string, string> = found ? { DRAWBRIDGE_HOME_MODEL_URL: found.baseUrl } : {};
    const where = found ? ` at ${found.baseUrl}` : named ? hostOf(named) : "";
    return { gateway, runner, line: `Model: ${configured}${where}, reached through the runner.` };
  }
  if (provider === "workers-ai") return { gateway, runner: {}, line: `Model: ${configured}, through the Workers AI binding AI.` };
  const key = env.DRAWBRIDGE_MODEL_API_KEY?.trim() ? "API key set" : "no DRAWBRIDGE_MODEL_API_KEY set";
  return { gateway, runner: {}, line: `Model: ${configured}${hostOf(baseUrl)} (${key}).` };
}

/** Only the host of a base URL: a URL pasted with credentials in it must not reach the terminal. */
function hostOf(baseUrl: string | undefined): string {
  if (!baseUrl) return "";
  return URL.canParse(baseUrl) ? ` at ${new URL(baseUrl).host}` : " (its base URL is not a URL)";
}
