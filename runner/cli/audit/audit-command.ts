import { AuditReport, type AuditFinding, type Severity } from "../../../shared/audit-report.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../exit-codes.js";
import { missingDeepSettings, runAudit, type AuditRun } from "./run-audit.js";

const HEADINGS: Record<Severity, string> = { critical: "CRITICAL", warn: "WARN", info: "INFO" };

/** `drawbridge audit [--json] [--fix] [--deep]`: exits 1 while a critical finding remains. */
export function auditCommand(env: NodeJS.ProcessEnv = process.env): Command {
  return {
    words: "audit",
    summary: "what in this setup is unsafe: state file modes, who can reach tools, weak token, keys in files",
    details:
      "Checks the state dir and the config `npm start` hands the gateway (docs/audit.md lists every check id).\n" +
      "--deep also asks the gateway (DRAWBRIDGE_GATEWAY_URL, GATEWAY_TOKEN), Docker and Telegram.\n" +
      "Exit code 1 while a critical finding remains, else 0. No secret value is ever printed.",
    json: true,
    options: {
      fix: {
        type: "boolean",
        help: "apply the safe fixes (chmod state files to 0600/0700; an open groups.policy → allowlist in the config file) and list them",
      },
      deep: {
        type: "boolean",
        help: "also check the running gateway, runners, sandbox containers, the Docker socket and the Telegram webhook",
      },
    },
    async run({ options, json, say }) {
      const deep = options.deep === true;
      const missing = missingDeepSettings(env);
      if (deep && missing.length > 0) {
        throw new UsageError(`--deep audits a running gateway and needs ${missing.join(" and ")} in the environment`, "audit");
      }
      const run = await runAudit({ fix: options.fix === true, deep, env });
      // The JSON document stays exactly the report; what --fix did goes to stderr beside it.
      if (json) {
        say(JSON.stringify(AuditReport.parse(run.report)));
        for (const line of fixLines(run)) process.stderr.write(`${line}\n`);
      } else for (const line of [...fixLines(run), ...reportLines(run.report)]) say(line);
      return run.report.summary.critical > 0 ? ExitCode.failure : ExitCode.ok;
    },
  };
}

export function fixLines({ fixed, notFixed }: AuditRun): string[] {
  const lines = fixed.map((line) => `fixed: ${line}`);
  lines.push(...notFixed.map((line) => `not fixed: ${line}`));
  return lines;
}

/** Grouped by severity, critical first, then one summary line. */
export function reportLines(report: AuditReport): string[] {
  const lines: string[] = [];
  for (const severity of ["critical", "warn", "info"] as const) {
    const group = report.findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${HEADINGS[severity]} (${group.length})`);
    for (const finding of group) lines.push(...findingLines(finding));
  }
  const { critical, warn, info } = report.summary;
  lines.push(
    critical + warn + info === 0
      ? "audit: nothing found"
      : `audit: ${critical} critical · ${warn} warn · ${info} info${critical > 0 ? " — exit 1 until the critical ones are fixed" : ""}`,
  );
  return lines;
}

function findingLines(finding: AuditFinding): string[] {
  return [`  [${finding.id}] ${finding.title}`, `      ${finding.detail}`, `      fix: ${finding.fix}`];
}
