/** Why a model step failed, in the words the sender and the audit line use. */
export type ModelErrorKind =
  "no_key" | "auth" | "unknown_model" | "rate_limited" | "server" | "timeout" | "malformed" | "offline" | "unavailable";

/**
 * Every failure of a model step. `userMessage` is short and safe to send to the sender; `message`
 * adds detail for the audit line; `cause` is a scrubbed copy of what the SDK threw (its message
 * only: the SDK's error carries request bodies and headers, which stay out of here). The API key
 * appears in none of them.
 */
export class ModelError extends Error {
  override readonly name = "ModelError";
  declare readonly cause: Error | undefined;

  constructor(
    readonly kind: ModelErrorKind,
    readonly status: number | null,
    readonly userMessage: string,
    message: string,
    options: { cause?: Error } = {},
  ) {
    super(message, { cause: options.cause });
  }

  /** What an audit line keeps: never the cause's raw fields. */
  toJSON(): { kind: ModelErrorKind; status: number | null; message: string; cause: string | null } {
    return { kind: this.kind, status: this.status, message: this.message, cause: this.cause?.message ?? null };
  }
}

/** Replaces every occurrence of the secret (and its trimmed form) in text, so it cannot leak by echo. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (secret === undefined) return text;
  let out = text;
  for (const form of new Set([secret, secret.trim()])) {
    // A secret this short would redact ordinary words; keys are never this short.
    if (form.length >= 6) out = out.split(form).join("[redacted]");
  }
  return out;
}

/** A plain Error holding only a scrubbed, clipped message and the original's name. */
export function scrubbedCause(error: unknown, secret: string | undefined): Error {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  const cause = new Error(scrubSecret(message, secret).slice(0, 500));
  cause.name = name;
  return cause;
}
