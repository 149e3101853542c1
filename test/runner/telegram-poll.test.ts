import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BotApiClient } from "../../runner/local-stack/telegram-poll/bot-api-client.js";
import { PollRelay, type PollRelayOptions } from "../../runner/local-stack/telegram-poll/poll-relay.js";
import { BotApiStandIn } from "../support/bot-api-standin.js";
import { WebhookDouble } from "./support/webhook-double.js";

const TOKEN = "7000001:poll-relay-test-token-abcdefghijklmnop";
const SECRET = "webhook-secret-for-the-poll-relay-tests";
// Fast backoff so a test sees several retries in a second or two; the cap is what keeps it from spinning.
const FAST = { baseMs: 50, capMs: 200 };

let botApi: BotApiStandIn;
let root: string;
let gateway: WebhookDouble;
let gatewayUrl: string;
let lines: string[];
let audits: Array<Record<string, unknown>>;
let relays: PollRelay[];

beforeEach(async () => {
  botApi = new BotApiStandIn();
  root = await botApi.start();
  gateway = new WebhookDouble(SECRET);
  gatewayUrl = await gateway.start();
  lines = [];
  audits = [];
  relays = [];
});

afterEach(async () => {
  for (const relay of relays) await relay.stop();
  await gateway.stop();
  await botApi.stop();
  // Whatever happened, no line the user read held the token, and none was a stack trace.
  expect(lines.filter((line) => line.includes(TOKEN) || line.includes("7000001:"))).toEqual([]);
  expect(lines.filter((line) => /\n|^\s+at /.test(line))).toEqual([]);
});

function relay(overrides: Partial<PollRelayOptions> = {}): PollRelay {
  const started = new PollRelay({
    client: new BotApiClient(root, TOKEN),
    gatewayUrl,
    webhookSecret: SECRET,
    say: (line) => lines.push(line),
    deleteWebhook: false,
    audit: (event) => {
      audits.push(event);
      return Promise.resolve();
    },
    timeoutSeconds: 1,
    backoff: FAST,
    ...overrides,
  });
  relays.push(started);
  return started;
}

function message(text: string): Record<string, unknown> {
  return {
    message: {
      message_id: 1,
      date: 0,
      from: { id: 42, is_bot: false, first_name: "Ann" },
      chat: { id: 42, type: "private" },
      text,
    },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; lines: ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const period = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setWebhook(url: string): Promise<void> {
  await fetch(`${root}/bot${TOKEN}/setWebhook`, { method: "POST", body: JSON.stringify({ url, secret_token: SECRET }) });
}

describe("the poll relay: in order, exactly once", () => {
  it("relays each update once and in order across a restart, even one killed after the gateway's 200", async () => {
    const first = relay();
    const [one, two] = [botApi.enqueueUpdate(message("one")), botApi.enqueueUpdate(message("two"))];
    await until(() => gateway.stored.length === 2 && botApi.unconfirmed().length === 0, "one and two confirmed");

    // The relay dies while the gateway answers 200 for the fourth update: stored, but never confirmed to Telegram.
    const ids = [botApi.enqueueUpdate(message("three")), botApi.enqueueUpdate(message("four")), botApi.enqueueUpdate(message("five"))];
    const [three, four, five] = ids;
    gateway.hook = (updateId) => {
      if (updateId === four) first.stop().catch(() => undefined);
      return 200;
    };
    expect(await first.ended).toEqual({ kind: "stopped" });
    expect(gateway.stored).toEqual([one, two, three, four]);
    // Telegram still holds four (delivered, never confirmed) and five, and three if it came in the same batch.
    const unconfirmed = botApi.unconfirmed();
    expect([
      [four, five],
      [three, four, five],
    ]).toContainEqual(unconfirmed);

    gateway.hook = () => 200;
    relay();
    await until(() => gateway.stored.length === 5 && botApi.unconfirmed().length === 0, "all five confirmed");
    // What the user sees: each message once, in order; only the unconfirmed ones came twice (dedupe took them).
    expect(gateway.stored).toEqual([one, two, three, four, five]);
    expect(gateway.deliveries).toEqual([one, two, three, four, ...unconfirmed]);
    const polls = botApi.sent("getUpdates");
    expect(polls[0]?.params).toMatchObject({ timeout: 1, allowed_updates: ["message", "callback_query"] });
    expect(polls.some((call) => call.token !== TOKEN)).toBe(false);
  });

  it("a gateway 500 retries the same update with backoff and does not advance the offset", async () => {
    relay();
    await until(() => botApi.attempts("getUpdates") > 0, "polling");
    const seenWhileFailing: Array<{ offsets: number[]; unconfirmed: number[] }> = [];
    gateway.hook = (updateId, attempt) => {
      if (updateId !== failing || attempt > 4) return 200;
      const offsets = botApi.sent("getUpdates").map((call) => Number(call.params.offset ?? 0));
      seenWhileFailing.push({ offsets, unconfirmed: botApi.unconfirmed() });
      return 500;
    };
    const failing = botApi.enqueueUpdate(message("stuck for a while"));
    const after = botApi.enqueueUpdate(message("after it"));
    await until(() => gateway.stored.length === 2 && botApi.unconfirmed().length === 0, "both confirmed");

    expect(gateway.stored).toEqual([failing, after]);
    // Four 500s, then the same update again: the one behind it waited its turn.
    expect(gateway.deliveries).toEqual([failing, failing, failing, failing, failing, after]);
    expect(seenWhileFailing).toHaveLength(4);
    for (const seen of seenWhileFailing) {
      expect(Math.max(...seen.offsets)).toBeLessThanOrEqual(failing);
      expect(seen.unconfirmed).toEqual([failing, after]);
    }
    expect(lines.filter((line) => line.includes("gateway answered 500"))).toEqual([
      `Telegram: the gateway answered 500 for update ${failing}; retrying the same update with backoff (never skipped).`,
    ]);
    expect(lines).toContain(`Telegram: the gateway took update ${failing}; relaying again.`);
  });
});

describe("the poll relay and a webhook", () => {
  it("refuses to poll while the bot has a webhook set, naming the URL and the way on", async () => {
    await setWebhook("https://drawbridge.example.workers.dev/telegram/webhook");
    const queued = botApi.enqueueUpdate(message("for the webhook"));
    const end = await relay().ended;

    expect(end.kind).toBe("refused");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("https://drawbridge.example.workers.dev/telegram/webhook");
    expect(lines[0]).toContain("DRAWBRIDGE_TELEGRAM_POLL_DELETE_WEBHOOK=1");
    // Nothing was taken from the webhook: no poll, no deletion, the update still waits for it.
    expect(botApi.attempts("getUpdates")).toBe(0);
    expect(botApi.attempts("deleteWebhook")).toBe(0);
    expect(botApi.webhook).toBe("https://drawbridge.example.workers.dev/telegram/webhook");
    expect(botApi.unconfirmed()).toEqual([queued]);
    expect(gateway.deliveries).toEqual([]);
  });

  it("with the delete flag deletes the webhook (keeping pending updates, audited once), then polls them", async () => {
    await setWebhook("https://old.example/telegram/webhook");
    const pending = botApi.enqueueUpdate(message("sent while the webhook was set"));
    const started = relay({ deleteWebhook: true });
    expect((await started.polling).username).toBe("drawbridge_test_bot");
    await until(() => gateway.stored.length === 1, "the pending update");

    expect(gateway.stored).toEqual([pending]);
    expect(botApi.webhook).toBe("");
    expect(botApi.sent("deleteWebhook").map((call) => call.params)).toEqual([{ drop_pending_updates: false }]);
    expect(audits).toEqual([{ event: "telegram.webhook_deleted", url: "https://old.example/telegram/webhook", dropPendingUpdates: false }]);
    expect(lines).toEqual([
      "Telegram: deleted the webhook https://old.example/telegram/webhook (DRAWBRIDGE_TELEGRAM_POLL_DELETE_WEBHOOK=1; pending updates kept for polling).",
    ]);
  });
});

describe("the poll relay when Telegram says no", () => {
  it("a 401 token gives one line and backs off instead of spinning, and polls once the token works", async () => {
    botApi.setPollMode("unauthorized");
    relay();
    await period(1_500);
    const attempts = botApi.attempts("getMe");
    // 50, 100, 200, 200 … ms apart: about eight in 1.5 s; a loop without backoff would make hundreds.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(15);
    expect(lines).toEqual([
      "Telegram: the bot token was refused (401 Unauthorized) — check TELEGRAM_BOT_TOKEN (from @BotFather); retrying with backoff.",
    ]);

    botApi.setPollMode("ok");
    const update = botApi.enqueueUpdate(message("after the fix"));
    await until(() => gateway.stored.length === 1, "the update");
    expect(gateway.stored).toEqual([update]);
    expect(lines.at(-1)).toBe("Telegram: the Bot API answers again; polling.");
  });

  it("a 409 conflict (another poller) gives one line and backs off", async () => {
    const started = relay();
    await started.polling;
    botApi.setPollMode("conflict");
    await until(() => lines.length > 0, "the conflict line");
    const from = botApi.attempts("getUpdates");
    await period(1_500);
    const attempts = botApi.attempts("getUpdates") - from;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(15);
    expect(lines).toEqual([
      "Telegram: getUpdates answered 409 Conflict: terminated by other getUpdates request; make sure that only one bot instance is running — another copy of this bot is polling, or a webhook was set; retrying with backoff.",
    ]);
    botApi.setPollMode("ok");
    const update = botApi.enqueueUpdate(message("after the other poller left"));
    await until(() => gateway.stored.includes(update), "the update");
  });

  it("a second poller for the same bot makes Telegram end the first one's poll with 409, which backs off", async () => {
    const first = relay();
    await first.polling;
    await until(() => botApi.attempts("getUpdates") > 0, "the first poll");
    relay();
    await until(() => lines.some((line) => line.includes("409 Conflict")), "the conflict line");
    expect(botApi.refused.filter((call) => call.method === "getUpdates").length).toBeGreaterThan(0);
  });

  it("a network failure gives one line naming the host (not the token) and backs off", async () => {
    let connections = 0;
    const dropping: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropping.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(dropping.address() as AddressInfo).port}`;
    try {
      relay({ client: new BotApiClient(`http://${host}`, TOKEN) });
      await period(1_500);
    } finally {
      await new Promise<void>((resolve) => dropping.close(() => resolve()));
    }
    expect(connections).toBeGreaterThanOrEqual(3);
    expect(connections).toBeLessThanOrEqual(15);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Telegram: could not reach ${host} \\([A-Za-z_ ]+\\); retrying with backoff\\.$`));
  });
});
