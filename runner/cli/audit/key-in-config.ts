import type { AuditFinding } from "../../../shared/audit-report.js";
import type { AuditSources, ReadFileText } from "./audit-sources.js";

/** Shapes of provider keys, by what they are; a match is named by kind and line, never shown. */
const KEY_SHAPES: { kind: string; pattern: RegExp }[] = [
  { kind: "an Anthropic key (sk-ant-…)", pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  { kind: "an OpenAI-style key (sk-…)", pattern: /\bsk-(?!ant-)[A-Za-z0-9_-]{20,}/ },
  { kind: "a Google API key (AIza…)", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: "a Hugging Face token (hf_…)", pattern: /\bhf_[A-Za-z0-9]{30,}\b/ },
  { kind: "a Groq key (gsk_…)", pattern: /\bgsk_[A-Za-z0-9]{40,}\b/ },
  { kind: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { kind: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: "a Telegram bot token", pattern: /\b\d{6,12}:[A-Za-z0-9_-]{35}\b/ },
  { kind: "a value under an api key field", pattern: /["']?(?:api[_-]?key|apiKey)["']?\s*[:=]\s*["'][^"'\s]{16,}["']/i },
];

/** In the env file these names are where `npm start` hands the Worker its secrets: expected there. */
const SECRET_NAMES = new Set([
  "DRAWBRIDGE_MODEL_API_KEY",
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_WEBHOOK_SECRET",
  "GATEWAY_TOKEN",
  "GATEWAY_SIGNING_KEY",
]);

type Hit = { path: string; line: number; kind: string; name: string | null };

export function findKeys(file: ReadFileText, isEnvFile: boolean): Hit[] {
  const hits: Hit[] = [];
  file.text.split(/\r?\n/).forEach((text, index) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(text)?.[1] ?? null;
    if (isEnvFile && name !== null && (SECRET_NAMES.has(name) || /^HOOK_[A-Z0-9_]+_SECRET$/.test(name))) return;
    const shape = KEY_SHAPES.find(({ pattern }) => pattern.test(text));
    if (shape) hits.push({ path: file.path, line: index + 1, kind: shape.kind, name });
  });
  return hits;
}

/**
 * model.key_in_config: a provider key pasted into a file that is not a secret store — the config
 * file, runner.json, wrangler.toml, or the env file under a name that is not a secret's. Critical
 * in files that are usually committed (wrangler.toml, the config file), warn elsewhere.
 */
export function checkKeyInConfig(sources: AuditSources): AuditFinding[] {
  const hits = sources.scanned.flatMap((file) => findKeys(file, file.path === sources.envFile?.path));
  if (hits.length === 0) return [];
  const committed = hits.some(({ path }) => path.endsWith("wrangler.toml") || path === sources.configFile?.path);
  return [
    {
      id: "model.key_in_config",
      severity: committed ? "critical" : "warn",
      title: "An API key sits in a config file instead of a secret",
      detail: hits.map(({ path, line, kind, name }) => `${path}:${line}${name ? ` (${name})` : ""} holds ${kind}`).join("; ") + ".",
      fix: "Move it out: `wrangler secret put DRAWBRIDGE_MODEL_API_KEY` for the Worker (locally, export it before `npm start`), delete it from the file, and rotate the key if the file was ever committed or shared.",
    },
  ];
}
