import { shownLabel } from "../../shared/display/untrusted-label.js";
import type { LsOutput, ReadOutput } from "../../shared/tools/files.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";

/** Telegram refuses messages above 4096 characters. */
export const MAX_REPLY_CHARS = 4096;

// Terminal escape sequences (colours, cursor moves), every control byte but tab and newline, and
// the bidirectional overrides are removed: they are noise in chat and can disguise what a command
// printed or a file holds (U+202E turns "gpj.exe" around).
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function formatExecReply(outcome: ToolOutcome): string {
  if (!outcome.ok) return `⚠️ ${outcome.error.message}`;
  const out = outcome.output;
  if ("tool" in out) {
    switch (out.tool) {
      case "ls":
        return clampReply(formatListing(out));
      case "read":
        return clampReply(formatRead(out));
      case "write":
        return clampReply(`✅ ${out.created ? "Created" : "Replaced"} ${shownPath(out.path)} (${out.bytes} B)`);
      case "edit":
        return clampReply(`✅ Edited ${shownPath(out.path)}: ${out.replacements} replacement(s), now ${out.bytes} B`);
    }
  }
  const parts: string[] = [];
  const stdout = clean(out.stdout);
  const stderr = clean(out.stderr);
  if (stdout) parts.push(stdout + (out.stdoutTruncated ? "\n… [stdout truncated]" : ""));
  if (stderr) parts.push(`stderr:\n${stderr}${out.stderrTruncated ? "\n… [stderr truncated]" : ""}`);
  if (out.timedOut) parts.push(`⏱ killed after the time limit (${Math.round(out.durationMs / 1000)}s)`);
  else if (out.cancelled) parts.push(`⏹ stopped: the call was cancelled after ${Math.round(out.durationMs / 1000)}s`);
  else if (out.exitCode !== 0) parts.push(`exit code ${out.exitCode ?? "unknown"}`);
  if (parts.length === 0) parts.push("(no output, exit code 0)");
  return clampReply(parts.join("\n\n"));
}

/** A file's text, with control characters removed so it cannot disguise itself; the header says what was shown. */
function formatRead(file: ReadOutput): string {
  const header = `📄 ${shownPath(file.path)} (${file.bytes} B)`;
  const body = clean(file.content);
  if (!body) return `${header}: (empty)`;
  const marker = "\n… [file truncated]";
  if (header.length + 1 + body.length <= MAX_REPLY_CHARS) return `${header}\n${body}`;
  return `${header}\n${body.slice(0, MAX_REPLY_CHARS - header.length - 1 - marker.length)}${marker}`;
}

function formatListing(listing: LsOutput): string {
  if (listing.entries.length === 0) return `${shownPath(listing.path) || "."}: (empty)`;
  const lines = listing.entries.map((entry) => {
    const name = shownPath(entry.name);
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

/** A file name or path is a label someone else chose: one line, its hidden characters written out. */
function shownPath(path: string): string {
  return shownLabel(path, 300);
}

function clean(text: string): string {
  return text.replace(ANSI_ESCAPE, "").replace(CONTROL, "").replace(/\s+$/, "");
}
