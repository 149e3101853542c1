import type { z } from "zod";
import { hookSecretName, HookName } from "../hooks/hook-config.js";
import { DrawbridgeConfig } from "./drawbridge-config.js";

/** Names that read as a secret: such a key in the config file is refused pointing at where secrets go. */
const SECRET_LIKE = /(api[-_]?key|^key$|token|secret|password|credential)/i;

export type ConfigCheck = { ok: true; config: DrawbridgeConfig } | { ok: false; problems: string[] };

/**
 * Checks a parsed config file. Each problem names its key path ("access.dmPolicy is invalid: …")
 * and never the value, which may be a secret pasted into the wrong place.
 */
export function checkDrawbridgeConfig(value: unknown): ConfigCheck {
  const parsed = DrawbridgeConfig.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.flatMap(describeIssue) };
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => unknownKey([...path, key]));
  const where = path.length === 0 ? "the file" : path.join(".");
  return [`${where} is invalid: ${issue.message}`];
}

function unknownKey(path: string[]): string {
  const where = path.join(".");
  const key = path[path.length - 1] ?? "";
  if (!SECRET_LIKE.test(key)) return `${where} is not a known key (see docs/config-reference.md)`;
  if (path[0] === "model") {
    return `${where} is refused: the model's API key never goes in the config file; set the secret DRAWBRIDGE_MODEL_API_KEY (wrangler secret put DRAWBRIDGE_MODEL_API_KEY, or the environment of npm start)`;
  }
  const hook = path[0] === "hooks" && path[1] !== undefined ? HookName.safeParse(path[1]) : null;
  if (hook?.success) {
    const name = hookSecretName(hook.data);
    return `${where} is refused: a hook's secret never goes in the config file; set the secret ${name} (wrangler secret put ${name}, or the environment of npm start)`;
  }
  return `${where} is refused: secrets never go in the config file; set them with wrangler secret put (deployed) or in the environment of npm start (see docs/configuration.md)`;
}
