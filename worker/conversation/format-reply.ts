import type { LsOutput } from "../../shared/tools/files.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";

/** Telegram refuses messages above 4096 characters. */
export const MAX_REPLY_CHARS = 4096;

// Terminal escape sequences (colours, cursor moves) and every control byte but tab and newline
// are removed: they are noise in chat and can disguise what a command printed.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function formatExecReply(outcome: ToolOutcome): string {
  if (!outcome.ok) return `⚠️ ${outcome.error.message}`;
  const out = outcome.output;
  if ("tool" in out && out.tool === "ls") return clampReply(formatListing(out));
  // read/write/edit get their own reply format with their chat commands (tool policy issue).
  if (!("stdout" in out)) return clampReply(clean(JSON.stringify(out)));
  const parts: string[] = [];
  const stdout = clean(out.stdout);
  const stderr = clean(out.stderr);
  if (stdout) parts.push(stdout + (out.stdoutTruncated ? "\n… [stdout truncated]" : ""));
  if (stderr) parts.push(`stderr:\n${stderr}${out.stderrTruncated ? "\n… [stderr truncated]" : ""}`);
  if (out.timedOut) parts.push(`⏱ killed after the time limit (${Math.round(out.durationMs / 1000)}s)`);
  else if (out.exitCode !== 0) parts.push(`exit code ${out.exitCode ?? "unknown"}`);
  if (parts.length === 0) parts.push("(no output, exit code 0)");
  return clampReply(parts.join("\n\n"));
}

function formatListing(listing: LsOutput): string {
  if (listing.entries.length === 0) return `${clean(listing.path) || "."}: (empty)`;
  const lines = listing.entries.map((entry) => {
    const name = clean(entry.name);
    if (entry.type === "dir") return `${name}/`;
    if (entry.type === "symlink") return `${name}@`;
    return entry.bytes === undefined ? name : `${name}  (${entry.bytes} B)`;
  });
  if (listing.truncated) lines.push("… [more entries not shown]");
  return lines.join("\n");
}

export function clampReply(text: string): string {
  if (text.length <= MAX_REPLY_CHARS) return text;
  const marker = "\n… [reply truncated]";
  return text.slice(0, MAX_REPLY_CHARS - marker.length) + marker;
}

function clean(text: string): string {
  return text.replace(ANSI_ESCAPE, "").replace(CONTROL, "").replace(/\s+$/, "");
}
