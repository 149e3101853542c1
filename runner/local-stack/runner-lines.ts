/** A runner event line (JSON, as runner-process.ts writes it), or null for any other line. */
type RunnerEvent = { event: string } & Record<string, unknown>;

function parseEvent(line: string): RunnerEvent | null {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === "object" && value !== null && typeof (value as { event?: unknown }).event === "string")
      return value as RunnerEvent;
  } catch {
    // not an event: a crash or a message of its own
  }
  return null;
}

/** Events that mean something is wrong: the user sees them as they happen, one line each. */
const TROUBLE = /failed|error|refused|lost|mismatch|interrupted|limit_hit|not_run/;

/**
 * What of the runner's output reaches the terminal once it runs (the whole of it is in its log
 * file): reconnects, drops and failures, one readable line each; routine events (calls received,
 * started, finished) stay in the log. A line that is not an event (a crash) is shown as it is.
 */
export function runnerLine(line: string): string | null {
  if (line.trim() === "") return null;
  const event = parseEvent(line);
  if (!event) return `[runner] ${line}`;
  const { event: name, ...fields } = event;
  delete fields.time;
  if (name === "tunnel.ready") return "[runner] connected to the gateway.";
  if (name === "tunnel.closed") return `[runner] tunnel closed (code ${String(fields.code)}); reconnecting.`;
  if (TROUBLE.test(name)) return `[runner] ${name} ${JSON.stringify(fields)}`;
  return null;
}

/** True for the runner's line saying its tunnel is up. */
export function isTunnelReady(line: string): boolean {
  return parseEvent(line)?.event === "tunnel.ready";
}
