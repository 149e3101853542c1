import { parseAccessConfig, type AccessConfig } from "../../../shared/access/access-config.js";
import type { AuditFinding } from "../../../shared/audit-report.js";
import { HooksConfig } from "../../../shared/hooks/hook-config.js";
import { checkAccess, checkTools } from "./access-checks.js";
import type { AuditSources, Setting } from "./audit-sources.js";
import { tokenStrength, tokenVerdict } from "./token-strength.js";
import { ownerIdOf } from "./who-can-reach.js";

/** The access config the Worker would be handed, or a finding that says why it cannot be read. */
export function accessOf(sources: AuditSources): { config: AccessConfig; origin: string } | { finding: AuditFinding } {
  const setting = sources.settings.DRAWBRIDGE_ACCESS;
  const origin = setting ? `DRAWBRIDGE_ACCESS from ${setting.from}` : "DRAWBRIDGE_ACCESS unset: the defaults";
  const parsed = parseAccessConfig(setting?.value);
  if (parsed.ok) return { config: parsed.config, origin };
  return {
    finding: {
      id: "access.invalid",
      severity: "warn",
      title: "The access config does not parse",
      detail: `${parsed.message} (${origin}); the gateway refuses to serve with it, so the access checks were skipped.`,
      fix: "Fix the value named (docs/access-control.md); `npm start` checks it before it starts the gateway.",
    },
  };
}

/** Every check that needs only the config: access, tools, hooks, the gateway token. */
export function checkConfig(sources: AuditSources): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (sources.configProblem) {
    findings.push({
      id: "config.invalid",
      severity: "warn",
      title: "The config file is refused",
      detail: `${sources.configProblem.replaceAll("\n", "; ")} — npm start and drawbridge deploy refuse it; the checks read the environment and the env file instead.`,
      fix: "Fix the keys named (docs/configuration.md).",
    });
  }
  const access = accessOf(sources);
  if ("finding" in access) findings.push(access.finding);
  else {
    const ownerId = ownerIdOf(sources.settings.DRAWBRIDGE_OWNER?.value);
    findings.push(...checkAccess(access.config, ownerId, access.origin), ...checkTools(access.config, access.origin));
  }
  findings.push(...checkHooks(sources.settings.DRAWBRIDGE_HOOKS));
  const token = sources.settings.GATEWAY_TOKEN;
  if (token) findings.push(...checkToken(token));
  return findings;
}

/** hooks.bearer: a hook that takes a shared bearer token instead of checking a signature. */
export function checkHooks(setting: Setting | undefined): AuditFinding[] {
  if (!setting) return [];
  let json: unknown;
  try {
    json = JSON.parse(setting.value);
  } catch {
    return [invalidHooks(setting, "not valid JSON")];
  }
  const parsed = HooksConfig.safeParse(json);
  if (!parsed.success) return [invalidHooks(setting, parsed.error.issues[0]?.message ?? "bad value")];
  const bearer = Object.entries(parsed.data).filter(([, hook]) => hook.verify === "bearer");
  if (bearer.length === 0) return [];
  return [
    {
      id: "hooks.bearer",
      severity: "warn",
      title: "A hook is checked by a bearer token, not a signature",
      detail:
        `${bearer.map(([name, hook]) => `hook "${name}" (tools ${hook.tools})`).join(", ")} verify "bearer" (DRAWBRIDGE_HOOKS from ${setting.from}): ` +
        "whoever sees one request can replay it or send their own; nothing binds the token to the body.",
      fix: 'Use verify "standard-webhooks" or "github" where the sender can sign; else keep the hook\'s tools "minimal" and rotate its secret often.',
    },
  ];
}

function invalidHooks(setting: Setting, why: string): AuditFinding {
  return {
    id: "hooks.invalid",
    severity: "warn",
    title: "The hooks config does not parse",
    detail: `DRAWBRIDGE_HOOKS from ${setting.from} is invalid: ${why}; the hook checks were skipped.`,
    fix: "Fix DRAWBRIDGE_HOOKS (shared/hooks/hook-config.ts describes each field).",
  };
}

/** gateway.token_weak: described by its length and estimated strength, never shown. */
export function checkToken(setting: Setting): AuditFinding[] {
  const strength = tokenStrength(setting.value);
  const verdict = tokenVerdict(strength);
  if (verdict === null) return [];
  const why = strength.guessable ? `, and ${strength.guessable}` : "";
  return [
    {
      id: "gateway.token_weak",
      severity: verdict,
      title: "The gateway token is guessable",
      detail:
        `GATEWAY_TOKEN from ${setting.from} is ${strength.length} characters with ${strength.distinct} distinct, about ${strength.bits} bits${why}; ` +
        "it unlocks the whole admin API (approve pairings, decide approvals, register runners).",
      fix: "Make a random one (`openssl rand -base64 32`), then `wrangler secret put GATEWAY_TOKEN` (locally: set GATEWAY_TOKEN, or delete it from local-secrets.json and restart `npm start`).",
    },
  ];
}
