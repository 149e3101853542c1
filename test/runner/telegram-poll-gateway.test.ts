import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BotApiClient } from "../../runner/local-stack/telegram-poll/bot-api-client.js";
import { PollRelay } from "../../runner/local-stack/telegram-poll/poll-relay.js";
import { OWNER_ID, TestStack, textUpdate } from "../support/test-stack.js";

// The real gateway (wrangler dev + runner + Docker) fed by the poll relay instead of Telegram's webhook.
const stack = new TestStack();
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop(), 60_000);

const lines: string[] = [];

function relayTo(gatewayUrl: string): PollRelay {
  return new PollRelay({
    // The same Bot API root and token the gateway sends its replies with.
    client: new BotApiClient(stack.secrets.TELEGRAM_API_ROOT, stack.secrets.TELEGRAM_BOT_TOKEN),
    gatewayUrl,
    webhookSecret: stack.secrets.TELEGRAM_WEBHOOK_SECRET,
    say: (line) => lines.push(line),
    deleteWebhook: false,
    audit: () => Promise.resolve(),
    timeoutSeconds: 1,
    backoff: { baseMs: 50, capMs: 500 },
  });
}

/**
 * In front of the real gateway: forwards each delivery, and once the gateway answered 200 for
 * `killAfter`, stops the relay before it reads that answer — the 200 happened, the offset was never confirmed.
 */
async function killingProxy(killAfter: number, relay: () => PollRelay | null): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      fetch(`${stack.url}${request.url ?? ""}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": String(request.headers["x-telegram-bot-api-secret-token"] ?? ""),
        },
        body,
      })
        .then(async (answer) => {
          if (answer.status === 200 && (JSON.parse(body) as { update_id: number }).update_id === killAfter) {
            relay()
              ?.stop()
              .catch(() => undefined);
          }
          response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
        })
        .catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const replies = (word: string) => stack.botApi.sent().filter((call) => String(call.params.text).includes(word));

describe("the poll relay into the real gateway (issue 13 acceptance 4)", () => {
  it("the owner's messages arrive in order, each once, across a relay killed after the gateway's 200", async () => {
    const updates = [1, 2, 3, 4].map((n) => textUpdate(OWNER_ID, `/run echo polled-${n}`) as { update_id: number });
    let first: PollRelay | null = null;
    const proxy = await killingProxy(updates[2]!.update_id, () => first);
    try {
      first = relayTo(proxy.url);
      for (const update of updates.slice(0, 3)) stack.botApi.enqueueUpdate(update);
      expect(await first.ended).toEqual({ kind: "stopped" });
    } finally {
      proxy.server.closeAllConnections();
      proxy.server.close();
    }
    // The third went into the gateway's inbox, but Telegram still holds it: it comes again.
    expect(stack.botApi.unconfirmed()).toContain(updates[2]!.update_id);
    stack.botApi.enqueueUpdate(updates[3]!);

    const second = relayTo(stack.url);
    const help = textUpdate(OWNER_ID, "/help") as { update_id: number };
    try {
      await stack.botApi.waitFor((call) => String(call.params.text).includes("polled-4"), 60_000);
      // Barrier: the inbox runs in order, so once /help is answered a duplicate would have been too.
      stack.botApi.enqueueUpdate(help);
      await stack.botApi.waitFor(
        (call) => call.params.chat_id === String(OWNER_ID) && String(call.params.text).startsWith("Drawbridge commands"),
      );
    } finally {
      await second.stop();
    }
    for (const n of [1, 2, 3, 4]) expect(replies(`polled-${n}`), `polled-${n}`).toHaveLength(1);
    const order = stack.botApi
      .sent()
      .map((call) => /polled-(\d)/.exec(String(call.params.text))?.[1])
      .filter((n) => n !== undefined);
    expect(order).toEqual(["1", "2", "3", "4"]);
    // Telegram holds at most the last one, delivered but not yet confirmed when the relay stopped.
    expect(stack.botApi.unconfirmed().filter((id) => id !== help.update_id)).toEqual([]);
    expect(lines.filter((line) => line.includes(stack.secrets.TELEGRAM_BOT_TOKEN))).toEqual([]);
  });
});
