import Docker from "dockerode";
import { auditReport, type AuditFinding, type AuditReport } from "../../../shared/audit-report.js";
import { AdminClient } from "../admin-client.js";
import { loadAuditSources, type AuditSources } from "./audit-sources.js";
import { checkConfig } from "./config-checks.js";
import { checkDockerSocket } from "./docker-socket.js";
import { checkRunners, checkServedConfig, checkServedSecrets } from "./gateway-checks.js";
import { tightenGroupPolicy } from "./group-policy-fix.js";
import { checkKeyInConfig } from "./key-in-config.js";
import { checkSandboxHardening } from "./sandbox-hardening.js";
import { checkStatePermissions, fixStatePermissions } from "./state-permissions.js";
import { checkTelegramWebhook, isPlaceholderBotToken } from "./telegram-webhook.js";

export type AuditOptions = { fix: boolean; deep: boolean; env?: NodeJS.ProcessEnv; cwd?: string; docker?: Docker };
export type AuditRun = { report: AuditReport; fixed: string[]; notFixed: string[] };

/** The settings --deep needs from the environment: it audits a gateway you name, not one it guesses. */
export function missingDeepSettings(env: NodeJS.ProcessEnv): string[] {
  return ["DRAWBRIDGE_GATEWAY_URL", "GATEWAY_TOKEN"].filter((name) => !env[name]?.trim());
}

/** Runs the safe fixes (when asked), then every check, and reports what is left. */
export async function runAudit(options: AuditOptions): Promise<AuditRun> {
  const env = options.env ?? process.env;
  let sources = await loadAuditSources(env, options.cwd);
  const fixed: string[] = [];
  const notFixed: string[] = [];
  if (options.fix) {
    fixed.push(...(await fixStatePermissions(sources)));
    const groups = await tightenGroupPolicy(sources);
    fixed.push(...groups.changed);
    notFixed.push(...groups.cannot);
    // The checks read the files as --fix left them.
    sources = await loadAuditSources(env, options.cwd);
  }
  const findings = [...(await checkStatePermissions(sources)), ...checkConfig(sources), ...checkKeyInConfig(sources)];
  if (options.deep) findings.push(...(await deepChecks(sources, options.docker ?? new Docker())));
  return { report: auditReport(dedupe(findings)), fixed, notFixed };
}

async function deepChecks(sources: AuditSources, docker: Docker): Promise<AuditFinding[]> {
  const { env } = sources;
  const gatewayUrl = env.DRAWBRIDGE_GATEWAY_URL?.trim() ?? "";
  const admin = new AdminClient(gatewayUrl, env.GATEWAY_TOKEN?.trim() ?? "", "the GATEWAY_TOKEN environment variable");
  const status = await admin.status();
  const findings = [
    ...checkServedSecrets(status, gatewayUrl),
    ...checkRunners(status),
    ...checkServedConfig(status, sources.settings.DRAWBRIDGE_OWNER?.value),
    ...(await checkDockerSocket(env)),
  ];
  try {
    findings.push(...(await checkSandboxHardening(docker)));
  } catch {
    findings.push({
      id: "sandbox.hardening",
      severity: "info",
      title: "Sandbox containers were not inspected",
      detail: "the Docker engine did not answer, so no live sandbox container could be checked.",
      fix: "Run the audit where the runner runs (with access to its Docker engine).",
    });
  }
  const botToken = sources.settings.TELEGRAM_BOT_TOKEN?.value;
  if (botToken && !isPlaceholderBotToken(botToken)) {
    const apiRoot = sources.settings.TELEGRAM_API_ROOT?.value ?? "https://api.telegram.org";
    const polling = env.DRAWBRIDGE_TELEGRAM_POLL?.trim() === "1";
    findings.push(...(await checkTelegramWebhook({ apiRoot, botToken, gatewayUrl, polling })));
  }
  return findings;
}

/** The same finding from the local and the served config is said once. */
function dedupe(findings: AuditFinding[]): AuditFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.id}\n${finding.title}\n${finding.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
