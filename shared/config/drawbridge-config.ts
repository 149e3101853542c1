import { z } from "zod";
import { AccessConfig } from "../access/access-config.js";
import { HooksConfig } from "../hooks/hook-config.js";
import { ChannelIdentity } from "../identity.js";
import { RunnerName } from "../tunnel/protocol.js";

/** The model forms the Worker accepts (worker/assistant/model/model-setting.ts reads the same var). */
export const ModelId = z
  .string()
  .regex(
    /^(openai|anthropic|workers-ai|home):\S+$/,
    'expected "<provider>:<model>", provider one of openai, anthropic, workers-ai, home, e.g. "openai:gpt-4o-mini"',
  )
  .describe(
    '"<provider>:<model>": openai:<model> (any OpenAI-compatible Chat Completions endpoint), anthropic:<model>, workers-ai:<model> (needs an AI binding) or home:<model> (a server on the runner\'s loopback, reached through the tunnel).',
  );

export const BaseUrl = z
  .url({ protocol: /^https?$/, error: "expected an http(s) URL that includes /v1, e.g. https://openrouter.ai/api/v1" })
  // A key pasted into the URL would end up in logs and errors; it belongs in the secret.
  .refine((raw) => !URL.canParse(raw) || (new URL(raw).username === "" && new URL(raw).password === ""), {
    message: "must not carry credentials; put the key in the DRAWBRIDGE_MODEL_API_KEY secret",
  })
  .describe(
    "Where openai: and anthropic: requests go, including /v1 (e.g. https://openrouter.ai/api/v1). Omitted: the provider's own. Never carries the key.",
  );

/** The assistant's model. The API key is a secret (DRAWBRIDGE_MODEL_API_KEY) and is refused here. */
export const ModelFileConfig = z
  .object({
    id: ModelId,
    baseUrl: BaseUrl.optional(),
  })
  .strict();
export type ModelFileConfig = z.output<typeof ModelFileConfig>;

/**
 * `drawbridge.config.json`: everything a user sets about the gateway, in one file that both
 * `npm start` and `drawbridge deploy` turn into the Worker's vars (shared/config/config-vars.ts).
 * Every key is optional: an empty file is the safe defaults. Secrets never belong here.
 */
export const DrawbridgeConfig = z
  .object({
    $schema: z.string().optional().describe('The JSON Schema this file follows, for editor completion: "./drawbridge.config.schema.json".'),
    owners: z
      .array(ChannelIdentity)
      .min(1)
      .max(16)
      // As DRAWBRIDGE_OWNER reads them: each channel's owner is the one named on it.
      .refine((owners) => new Set(owners.map((owner) => owner.channel)).size === owners.length, "at most one owner per channel")
      .optional()
      .describe(
        'The owner\'s channel identities, numeric ids never usernames, e.g. ["telegram:123456789"] (→ DRAWBRIDGE_OWNER). Omitted: npm start serves a local placeholder owner; a deployed gateway without one refuses to serve.',
      ),
    access: AccessConfig.optional().describe(
      "Who may talk to the bot and what they may do: DM and group policies, roles, rate limits, tools, sessions, runner routing, the assistant's caps, alerts (→ DRAWBRIDGE_ACCESS). Omitted: the safe defaults.",
    ),
    model: ModelFileConfig.optional().describe(
      "The assistant's model (→ DRAWBRIDGE_MODEL, DRAWBRIDGE_MODEL_BASE_URL). Omitted: npm start uses a model server it finds on this machine, if any; otherwise the assistant is off and commands still work. The key is the secret DRAWBRIDGE_MODEL_API_KEY, never this file.",
    ),
    hooks: HooksConfig.optional().describe(
      "Signed inbound webhooks served at POST /hooks/<name>, by name (→ DRAWBRIDGE_HOOKS); each one's secret is HOOK_<NAME>_SECRET.",
    ),
    defaultRunner: RunnerName.optional().describe(
      'The runner that serves tool calls when access.runners routes nothing else (→ DEFAULT_RUNNER). Omitted: "home" (npm start: its own runner\'s name).',
    ),
    telegram: z
      .object({
        apiRoot: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe("The Bot API root (→ TELEGRAM_API_ROOT). Omitted: https://api.telegram.org; tests point it at a stand-in."),
      })
      .strict()
      .optional()
      .describe("Telegram settings that are not secrets (the bot token and webhook secret are)."),
    slack: z
      .object({
        apiRoot: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe("The Slack Web API root (→ SLACK_API_ROOT). Omitted: https://slack.com/api; tests point it at a stand-in."),
      })
      .strict()
      .optional()
      .describe("Slack settings that are not secrets (the bot token and signing secret are)."),
  })
  .strict();
export type DrawbridgeConfig = z.output<typeof DrawbridgeConfig>;
