/**
 * How long a 429 asks us to wait, in ms: `retry-after-ms`, or `retry-after` as seconds or an HTTP
 * date. Null when the answer names no usable wait.
 */
export function retryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | null {
  if (headers === undefined) return null;
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.trim()]));
  const ms = Number(lower["retry-after-ms"]);
  if (lower["retry-after-ms"] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = lower["retry-after"];
  if (raw === undefined || raw === "") return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
