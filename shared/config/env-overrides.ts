import { z } from "zod";
import { parseAccessConfig } from "../access/access-config.js";
import { HooksConfig } from "../hooks/hook-config.js";
import { OwnerList } from "../identity.js";
import { RunnerName } from "../tunnel/protocol.js";
import type { ConfigVarName } from "./config-vars.js";
import { BaseUrl, ModelId } from "./drawbridge-config.js";

const ApiRoot = z.url({ protocol: /^https?$/ });

/** What the Worker will accept in each var, so a bad override is refused here and not by a deployed gateway. */
const CHECKS: Record<ConfigVarName, (value: string) => string | null> = {
  DRAWBRIDGE_OWNER: (value) => firstIssue(OwnerList, value),
  DRAWBRIDGE_ACCESS: (value) => {
    const access = parseAccessConfig(value);
    return access.ok ? null : access.message.replace(/^DRAWBRIDGE_ACCESS\.?/, "").replace(/^ is invalid: /, "") || "bad value";
  },
  DRAWBRIDGE_MODEL: (value) => firstIssue(ModelId, value),
  DRAWBRIDGE_MODEL_BASE_URL: (value) => firstIssue(BaseUrl, value),
  DRAWBRIDGE_HOOKS: (value) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return "not valid JSON";
    }
    return firstIssue(HooksConfig, parsed);
  },
  DEFAULT_RUNNER: (value) => firstIssue(RunnerName, value),
  TELEGRAM_API_ROOT: (value) => firstIssue(ApiRoot, value),
  SLACK_API_ROOT: (value) => firstIssue(ApiRoot, value),
};

/**
 * Problems with vars set in the environment (which win over the file), one line each:
 * `DRAWBRIDGE_ACCESS (from the environment): dmPolicy is invalid: …`. Never the value.
 */
export function overrideProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const [name, check] of Object.entries(CHECKS)) {
    const value = env[name]?.trim();
    if (!value) continue;
    const problem = check(value);
    if (problem) problems.push(`${name} (from the environment): ${problem}`);
  }
  return problems;
}

function firstIssue(schema: z.ZodType, value: unknown): string | null {
  const parsed = schema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".");
  return path ? `${path} is invalid: ${issue?.message ?? "bad value"}` : (issue?.message ?? "bad value");
}
