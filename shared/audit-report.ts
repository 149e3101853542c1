import { z } from "zod";

/** How bad a finding is: `critical` keeps `drawbridge audit` exiting 1 until it is fixed. */
export const SEVERITIES = ["critical", "warn", "info"] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** A check's stable id, e.g. `state.permissions` or `access.open_with_tools` (docs/audit.md lists them). */
export const CheckId = z.string().regex(/^[a-z]+\.[a-z_]+$/);

/** One thing `drawbridge audit` found: never a secret's value, only where it is and what to do. */
export const AuditFinding = z.object({ id: CheckId, severity: Severity, title: z.string(), detail: z.string(), fix: z.string() }).strict();
export type AuditFinding = z.infer<typeof AuditFinding>;

/** `drawbridge audit --json`: the findings (critical first) and how many of each severity. */
export const AuditReport = z
  .object({
    findings: z.array(AuditFinding),
    summary: z.object({ critical: z.number().int(), warn: z.number().int(), info: z.number().int() }).strict(),
  })
  .strict();
export type AuditReport = z.infer<typeof AuditReport>;

/** The report for these findings: ordered critical → warn → info (stable within one severity). */
export function auditReport(findings: readonly AuditFinding[]): AuditReport {
  const ordered = SEVERITIES.flatMap((severity) => findings.filter((finding) => finding.severity === severity));
  const count = (severity: Severity) => findings.filter((finding) => finding.severity === severity).length;
  return { findings: ordered, summary: { critical: count("critical"), warn: count("warn"), info: count("info") } };
}
