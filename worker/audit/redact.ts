/**
 * Removes secrets from text before it is stored or shown: audit details may quote what a
 * sender typed or what a tool printed, and either can carry a credential.
 */
const RULES: Array<[RegExp, string]> = [
  // PEM blocks (private keys, certificates), including a truncated one with no END line.
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, "[REDACTED:pem]"],
  // Telegram bot tokens: <bot id>:<35 characters>.
  [/\b\d{5,12}:[A-Za-z0-9_-]{30,}/g, "[REDACTED:bot-token]"],
  // Authorization headers and bare bearer tokens.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [REDACTED]"],
  // NAME_TOKEN=…, API_KEY: …, client_secret=…, password=… (shell, dotenv, YAML, query strings).
  [
    /\b([A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|SIGNING_?KEY)[A-Za-z0-9_]*)(["']?\s*[=:]\s*["']?)[^\s"'&]+/gi,
    "$1$2[REDACTED]",
  ],
  // Private parts of a JWK.
  [/("(?:d|p|q|dp|dq|qi|k)"\s*:\s*")[^"]+"/g, '$1[REDACTED]"'],
  // Well-known key shapes: OpenAI/Anthropic-style, GitHub, AWS access key ids, Slack, JWTs.
  [/\b(?:sk|rk|pk)-[A-Za-z0-9_-]{16,}/g, "[REDACTED:key]"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, "[REDACTED:key]"],
  [/\bAKIA[0-9A-Z]{16}\b/g, "[REDACTED:key]"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, "[REDACTED:key]"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "[REDACTED:jwt]"],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** Redacts every string inside a JSON-like value. */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactValue(inner)]));
  }
  return value;
}
