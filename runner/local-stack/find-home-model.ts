import { z } from "zod";
import { isLoopbackHost } from "../floor/model-config.js";

/** A model server found on this machine: its API base (including `/v1`) and the model it lists first. */
export type HomeModelServer = { baseUrl: string; model: string };

/** Where local model servers listen by default: Ollama, then LM Studio. */
export const DEFAULT_HOME_MODEL_BASES = ["http://127.0.0.1:11434/v1", "http://127.0.0.1:1234/v1"] as const;

const PROBE_TIMEOUT_MS = 1500;

// The id becomes DRAWBRIDGE_MODEL=home:<id> in the env file, which takes no quotes, spaces or line breaks.
const USABLE_ID = /^[\w.:/@+-]{1,200}$/;

const ModelList = z.object({ data: z.array(z.object({ id: z.string() }).loose()) }).loose();

/**
 * Where `npm start` looks for a model when none is configured: DRAWBRIDGE_HOME_MODEL_URL (an API
 * base including `/v1`, as the runner reads it) first, then Ollama's and LM Studio's defaults.
 * Only loopback addresses: the runner refuses anything else, and the probe must not reach out
 * to the network on its own.
 */
export function homeModelCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const named = env.DRAWBRIDGE_HOME_MODEL_URL?.trim().replace(/\/+$/, "");
  const all = [...(named ? [named] : []), ...DEFAULT_HOME_MODEL_BASES];
  return [...new Set(all)].filter((base) => URL.canParse(base) && isLoopbackHost(new URL(base).hostname));
}

/**
 * Asks each candidate `GET <base>/models` at once (a short timeout each, so nothing listening
 * or a server that never answers costs at most the timeout) and returns the first candidate,
 * in the order given, that lists a usable model; null when none does.
 */
export async function findHomeModel(
  candidates: readonly string[] = homeModelCandidates(),
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<HomeModelServer | null> {
  const answers = await Promise.all(candidates.map((base) => firstModelAt(base, timeoutMs)));
  const index = answers.findIndex((model) => model !== null);
  const base = candidates[index];
  const model = answers[index];
  return base !== undefined && model ? { baseUrl: base, model } : null;
}

async function firstModelAt(base: string, timeoutMs: number): Promise<string | null> {
  try {
    // No redirect is followed: a loopback answer that points elsewhere is not a local model server.
    const response = await fetch(`${base}/models`, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const list = ModelList.safeParse(await response.json());
    return list.success ? (list.data.data.map((entry) => entry.id).find((id) => USABLE_ID.test(id)) ?? null) : null;
  } catch {
    // Refused, timed out or not JSON: nothing usable there.
    return null;
  }
}
