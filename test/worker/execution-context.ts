/** For `app.request(…, env, ctx)` calls that swap a binding: work handed to waitUntil is dropped. */
export const executionContext = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
