import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import { endpointFetch } from "./endpoint-fetch.js";
import { ModelError } from "./model-error.js";
import type { ModelSetting } from "./model-setting.js";

/** The home model's requests go through the relay, which ignores the host: this one never resolves. */
export const HOME_MODEL_BASE_URL = "http://home-model.invalid/v1";

const SET_KEY = "Set it with `wrangler secret put DRAWBRIDGE_MODEL_API_KEY` (for npm start: DRAWBRIDGE_MODEL_API_KEY in its environment).";

/** The AI SDK model for a setting, or a ModelError saying what is missing (a key, the AI binding, the relay). */
export function providerModel(env: Env, setting: ModelSetting, relay: typeof fetch | undefined): LanguageModel {
  const key = env.DRAWBRIDGE_MODEL_API_KEY?.trim() || undefined;
  switch (setting.provider) {
    case "openai": {
      const baseURL = setting.baseUrl ?? "https://api.openai.com/v1";
      // A local OpenAI-compatible server (Ollama, vLLM, LM Studio) needs no key; OpenAI itself does.
      if (key === undefined && new URL(baseURL).hostname === "api.openai.com") throw noKey(setting);
      const apiKey = key === undefined ? {} : { apiKey: key };
      return createOpenAICompatible({ name: "openai", baseURL, fetch: endpointFetch(), ...apiKey }).chatModel(setting.model);
    }
    case "anthropic": {
      if (key === undefined) throw noKey(setting);
      return createAnthropic({ baseURL: setting.baseUrl ?? "https://api.anthropic.com/v1", apiKey: key, fetch: endpointFetch() })(
        setting.model,
      );
    }
    case "workers-ai": {
      if (env.AI === undefined) {
        throw new ModelError(
          "unavailable",
          null,
          `${setting.id} needs the Workers AI binding, and this gateway has none. Add [ai] binding = "AI" to wrangler.toml and deploy.`,
          "workers-ai: no AI binding",
        );
      }
      return createWorkersAI({ binding: env.AI })(setting.model);
    }
    case "home": {
      if (relay === undefined) {
        throw new ModelError(
          "unavailable",
          null,
          "The home model is reached through the runner's tunnel, and no relay was given.",
          "home: no relay fetch",
        );
      }
      // No key: the home model is on the owner's own loopback, and the key must never reach the runner.
      return createOpenAICompatible({ name: "home", baseURL: HOME_MODEL_BASE_URL, fetch: endpointFetch(relay) }).chatModel(setting.model);
    }
  }
}

function noKey(setting: ModelSetting): ModelError {
  return new ModelError(
    "no_key",
    null,
    `${setting.id} needs an API key, and the secret DRAWBRIDGE_MODEL_API_KEY is not set. ${SET_KEY}`,
    `no DRAWBRIDGE_MODEL_API_KEY for ${setting.provider}`,
  );
}
