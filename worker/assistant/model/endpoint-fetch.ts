/** The model endpoint could not be reached at all (refused, reset, DNS): no answer, so nothing to read. */
export class EndpointUnreachable extends Error {
  override readonly name = "EndpointUnreachable";
}

/**
 * Wraps the fetch a provider uses so that a connection failure is recognisable later: the SDK only
 * turns some runtimes' network errors into its own, and workerd's are not among them.
 * Aborts (our timeout) pass through as they are.
 */
export function endpointFetch(inner: typeof fetch = (resource, init) => fetch(resource, init)): typeof fetch {
  return async (resource, init) => {
    try {
      return await inner(resource, init);
    } catch (error) {
      if (init?.signal?.aborted === true || (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")))
        throw error;
      // Only the error's own message: the request it was made with holds the key in its headers.
      throw new EndpointUnreachable(error instanceof Error ? error.message : String(error));
    }
  };
}

/** Whether an error, or anything in its cause chain, is a connection failure. */
export function isUnreachable(error: unknown): boolean {
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (at instanceof EndpointUnreachable) return true;
  }
  return false;
}
