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

/** Waits until the call has a result; returns when it has. */
export async function waitForResult(stack: TestStack, id: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { body } = await stack.api("GET", `/api/calls/${id}`);
    if ((body as { state?: string }).state === "done") return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`call ${id} has no result after ${timeoutMs} ms`);
}
