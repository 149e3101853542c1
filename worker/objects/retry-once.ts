/**
 * Runs a Durable Object call, and once more if the runtime says the error is retryable (the
 * object was reset by a deploy or an eviction). Only for idempotent operations. An error marked
 * `overloaded` is never retried: retrying is what keeps an overloaded object overloaded
 * (Cloudflare's guidance for Durable Object errors).
 */
export async function retryOnce<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!isRetryable(error)) throw error;
    return operation();
  }
}

export function isRetryable(error: unknown): boolean {
  const marks = typeof error === "object" && error !== null ? (error as { retryable?: unknown; overloaded?: unknown }) : {};
  if (marks.overloaded === true) return false;
  return marks.retryable === true || /please retry/i.test(String(error));
}
