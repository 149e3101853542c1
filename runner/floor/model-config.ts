import { z } from "zod";

/**
 * runner.json `model`: the OpenAI-compatible server this runner relays model requests to
 * (Ollama, llama.cpp, LM Studio), its base URL including `/v1`. Loopback only unless
 * `allowNonLoopback` says otherwise: the relay must not become a way for the gateway (or a
 * manipulated model turn) to reach other machines on the home network.
 */
export const ModelFileConfig = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://127.0.0.1:11434/v1" }).optional(),
    allowNonLoopback: z.boolean().default(false),
  })
  .strict()
  .superRefine((model, ctx) => {
    if (model.baseUrl === undefined) return;
    const problem = baseUrlProblem(model.baseUrl, model.allowNonLoopback);
    if (problem) ctx.addIssue({ code: "custom", path: ["baseUrl"], message: problem });
  });
export type ModelFileConfig = z.infer<typeof ModelFileConfig>;

/** Where model requests go, or null when this runner serves no model. */
export type HomeModelSettings = { baseUrl: string } | null;

export class ModelConfigError extends Error {
  override readonly name = "ModelConfigError";
}

/**
 * runner.json `model.baseUrl`, else `DRAWBRIDGE_HOME_MODEL_URL` (what `npm start` sets when it
 * finds a model server on loopback): the file is the owner's explicit choice and wins. Either
 * passes the same loopback check.
 */
export function homeModelSettings(model: ModelFileConfig, env: NodeJS.ProcessEnv = process.env): HomeModelSettings {
  const fromEnv = env.DRAWBRIDGE_HOME_MODEL_URL?.trim();
  const baseUrl = model.baseUrl ?? (fromEnv ? fromEnv : undefined);
  if (baseUrl === undefined) return null;
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new ModelConfigError(`DRAWBRIDGE_HOME_MODEL_URL must be an http(s) URL such as http://127.0.0.1:11434/v1`);
  }
  const problem = baseUrlProblem(baseUrl, model.allowNonLoopback);
  if (problem) throw new ModelConfigError(`DRAWBRIDGE_HOME_MODEL_URL ${problem}`);
  return { baseUrl: baseUrl.replace(/\/+$/, "") };
}

/** Why a base URL is refused, or null. */
function baseUrlProblem(baseUrl: string, allowNonLoopback: boolean): string | null {
  const url = new URL(baseUrl);
  // Credentials in the URL would travel with every request; the relay carries no secret.
  if (url.username || url.password) return "must not carry a user name or password";
  if (url.search || url.hash) return "must not have a query or fragment";
  if (!allowNonLoopback && !isLoopbackHost(url.hostname)) {
    return `must be on this machine's loopback (127.0.0.0/8, ::1 or localhost), not ${url.hostname}; set model.allowNonLoopback to true in runner.json to allow another host`;
  }
  return null;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host === "::1") return true;
  // WHATWG URL parsing already turned 0x7f.1, 2130706433 and friends into dotted decimal.
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets[1] === "127" && octets.slice(2).every((o) => Number(o) <= 255);
}
