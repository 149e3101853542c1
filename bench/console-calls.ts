import type { TestStack } from "../test/support/test-stack.js";

/** One owner message over the console channel; returns the reply text. */
export async function consoleMessage(stack: TestStack, text: string): Promise<string> {
  const { status, body } = await stack.api("POST", "/api/messages", { text });
  if (status !== 200) throw new Error(`console answered ${status}: ${JSON.stringify(body)}`);
  return (body as { reply: string }).reply;
}

/** The call id a "queued" notice names (`Call <id>.`). */
export function queuedCallId(reply: string): string {
  const id = /Call ([A-Za-z0-9_-]+)\.\s*$/.exec(reply)?.[1];
  if (!id) throw new Error(`not a queued notice: ${reply}`);
  return id;
}

export type CallView = { state?: string; finishedAt?: number | null; outcome?: { ok: boolean } | null };

/** GET /api/calls/:id. */
export async function callView(stack: TestStack, id: string): Promise<CallView> {
  return (await stack.api("GET", `/api/calls/${id}`)).body as CallView;
}

/** Waits until the call has a result; returns when it has. */
export async function waitForResult(stack: TestStack, id: string, timeoutMs = 60_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await callView(stack, id)).state === "done") return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`call ${id} has no result after ${timeoutMs} ms`);
}

/**
 * Runs `work` for 0..count-1, at most `width` at a time: enough to keep the gateway busy, few
 * enough HTTP requests open at once for wrangler dev's front door.
 */
export async function inBatches<T>(count: number, width: number, work: (n: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      for (let n = next++; n < count; n = next++) results[n] = await work(n);
    }),
  );
  return results;
}
