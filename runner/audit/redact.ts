/** What replaces a secret in the audit log. */
export const REDACTED = "[REDACTED]";

// Order matters: whole PEM blocks first, so their base64 body is not half-matched by a later rule.
const RULES: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  // PEM blocks (private keys, certificates), including an unterminated one at the end.
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, REDACTED],
  // Telegram bot tokens: <bot id>:<35 characters>.
  [/\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, REDACTED],
  // Authorization: Bearer / Basic <credential>.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} ${REDACTED}`],
  // NAME_TOKEN=…, API_KEY: …, *_SECRET, PASSWORD (env-style assignments, quoted or not).
  [
    /\b([A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)[A-Za-z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"',;&|]+)/gi,
    (_m, name, sep) => `${name}${sep}${REDACTED}`,
  ],
  // The private part of a JWK ("d", and RSA's "p", "q", "dp", "dq", "qi").
  [/("(?:d|p|q|dp|dq|qi)"\s*:\s*)"[A-Za-z0-9_-]{16,}"/g, (_m, key) => `${key}"${REDACTED}"`],
  // Well-known token shapes: JWTs, GitHub, Slack, OpenAI/Anthropic-style keys, AWS access keys.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, REDACTED],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16})\b/g, REDACTED],
];

/** The text with every secret it recognisably holds replaced by [REDACTED]. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) {
    out = typeof replacement === "string" ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

/** A copy of a JSON-like value with every string redacted (keys that name a secret lose their value whole). */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) && typeof inner === "string" ? REDACTED : redactValue(inner)]),
    );
  }
  return value;
}

const SECRET_KEY = /token|secret|password|passwd|api_?key|private_?key|authorization/i;
