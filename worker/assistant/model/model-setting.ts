import { GatewayError } from "../../http/gateway-error.js";

/** Which model answers the assistant, as `DRAWBRIDGE_MODEL` and `DRAWBRIDGE_MODEL_BASE_URL` configure it. */
export type ModelSetting = {
  provider: ModelProvider;
  model: string;
  /** `provider:model` exactly as configured: what `/model` shows and an audit line names. */
  id: string;
  /** Where requests go (includes `/v1`); null for providers reached through a binding or the tunnel. */
  baseUrl: string | null;
};

export type ModelProvider = "openai" | "anthropic" | "workers-ai" | "home";

const PROVIDERS: readonly ModelProvider[] = ["openai", "anthropic", "workers-ai", "home"];

const DEFAULT_BASE_URLS: Partial<Record<ModelProvider, string>> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
};

const ACCEPTED_FORMS = "openai:<model>, anthropic:<model>, workers-ai:<model> or home:<model>";

/**
 * Reads the configured model; null when none is set (the assistant then says how to set one).
 * A bad value refuses service naming the key, as every other config mistake does.
 */
export function modelSettingOf(env: Env): ModelSetting | null {
  const raw = (env.DRAWBRIDGE_MODEL ?? "").trim();
  if (raw === "") return null;
  const colon = raw.indexOf(":");
  const provider = raw.slice(0, Math.max(colon, 0));
  const model = raw.slice(colon + 1).trim();
  if (colon <= 0 || !isProvider(provider) || model === "" || /\s/.test(model)) {
    throw configInvalid("DRAWBRIDGE_MODEL", `is "${raw.slice(0, 120)}"; it must be one of ${ACCEPTED_FORMS}`);
  }
  return { provider, model, id: `${provider}:${model}`, baseUrl: baseUrlOf(env, provider) };
}

function baseUrlOf(env: Env, provider: ModelProvider): string | null {
  const raw = (env.DRAWBRIDGE_MODEL_BASE_URL ?? "").trim();
  const fallback = DEFAULT_BASE_URLS[provider] ?? null;
  if (raw === "") return fallback;
  // workers-ai goes through its binding and home through the tunnel: a base URL would be ignored, so say so.
  if (fallback === null) {
    const where = provider === "home" ? "; the home model's URL is model.baseUrl in the runner's runner.json" : "";
    throw configInvalid("DRAWBRIDGE_MODEL_BASE_URL", `is set, but ${provider}: models take no base URL; leave it empty${where}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configInvalid("DRAWBRIDGE_MODEL_BASE_URL", "is not a URL; use e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw configInvalid("DRAWBRIDGE_MODEL_BASE_URL", "must be an http(s) URL that includes /v1, e.g. https://openrouter.ai/api/v1");
  }
  if (url.username !== "" || url.password !== "") {
    // A key pasted into the URL would end up in logs and errors; it belongs in DRAWBRIDGE_MODEL_API_KEY.
    throw configInvalid("DRAWBRIDGE_MODEL_BASE_URL", "must not carry credentials; put the key in the DRAWBRIDGE_MODEL_API_KEY secret");
  }
  return raw.replace(/\/+$/, "");
}

function isProvider(value: string): value is ModelProvider {
  return (PROVIDERS as readonly string[]).includes(value);
}

function configInvalid(key: string, problem: string): GatewayError {
  return new GatewayError(
    503,
    "config_invalid",
    `${key} ${problem}. Set it under [vars] in wrangler.toml (or in the environment of npm start).`,
  );
}
