import { env, runInDurableObject } from "cloudflare:test";
import { inject } from "vitest";
import { z } from "zod";
import { app } from "../../worker/app.js";
import type { Gatekeeper } from "../../worker/gatekeeper/gatekeeper.js";
import { readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";

/** A Bot API call as the stand-in recorded it. */
export const SentCall = z.object({ token: z.string(), method: z.string(), params: z.record(z.string(), z.unknown()) }).strict();
export type SentCall = z.infer<typeof SentCall>;
export const SentCalls = z.array(SentCall);

let nextUpdateId = Math.floor(Math.random() * 1_000_000_000);

/**
 * One channel account of its own (a unique bot id, so its own Gatekeeper Durable Object), an
 * owner, an access config, and the Bot API stand-in the Gatekeeper replies through over HTTP.
 */
export class GateHarness {
  readonly env: Env;
  readonly gatekeeper: DurableObjectStub<Gatekeeper>;
  private offsetMs = 0;

  constructor(
    readonly botId: number,
    readonly ownerId: number,
    access: unknown = {},
  ) {
    this.env = {
      ...env,
      TELEGRAM_BOT_TOKEN: `${botId}:harness-token`,
      TELEGRAM_API_ROOT: inject("botApiRoot"),
      DRAWBRIDGE_OWNER: `telegram:${ownerId}`,
      DRAWBRIDGE_ACCESS: JSON.stringify(access),
    };
    this.gatekeeper = env.GATEKEEPER.get(env.GATEKEEPER.idFromName(`telegram:${botId}`));
  }

  /** Posts an update to the real webhook route, with the right secret. */
  async post(update: unknown): Promise<Response> {
    return app.request(
      "/telegram/webhook",
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": env.TELEGRAM_WEBHOOK_SECRET! },
        body: JSON.stringify(update),
      },
      this.env,
      executionContext,
    );
  }

  /** An admin API call as the owner's CLI makes it; `token` null sends no Authorization header. */
  async api(method: string, path: string, body?: unknown, token: string | null = env.GATEWAY_TOKEN ?? null): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    return app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, this.env, executionContext);
  }

  /** Posts a DM and waits until the Gatekeeper has handled everything it stored. */
  async dm(fromId: number, text: string): Promise<Response> {
    const response = await this.post(dmUpdate(fromId, text));
    await this.settle();
    return response;
  }

  /**
   * The barrier for absence checks: the inbox is empty and every reply has been sent. An entry
   * whose processing threw (e.g. a Durable Object stub reset between test files) waits for its
   * retry alarm; the retry is run here at once instead, as the alarm would run it.
   */
  async settle(): Promise<void> {
    await runInDurableObject(this.gatekeeper, async (instance: Gatekeeper) => {
      for (let attempt = 0; attempt < 3 && (attempt === 0 || instance.inboxDepth() !== 0); attempt++) await instance.drain();
      if (instance.inboxDepth() !== 0) throw new Error("the inbox did not drain");
    });
  }

  /** Moves the Gatekeeper's business clock (pairing expiry, buckets) without sleeping. */
  async advance(ms: number): Promise<void> {
    this.offsetMs += ms;
    const offset = this.offsetMs;
    await runInDurableObject(this.gatekeeper, (instance: Gatekeeper) => {
      instance.clock = () => Date.now() + offset;
    });
  }

  /** Every Bot API call the stand-in saw for one chat. */
  async sentTo(chatId: number | string): Promise<SentCall[]> {
    const calls = await this.allCalls();
    return calls.filter((call) => String(call.params.chat_id) === String(chatId));
  }

  async messagesTo(chatId: number | string): Promise<string[]> {
    return (await this.sentTo(chatId)).filter((call) => call.method === "sendMessage").map((call) => String(call.params.text));
  }

  /** All Bot API calls (for callback answers, which carry no chat id). */
  async allCalls(): Promise<SentCall[]> {
    return await readJson(await fetch(`${inject("botApiRoot")}/__standin/calls`), SentCalls);
  }
}

export function updateId(): number {
  nextUpdateId += 1;
  return nextUpdateId;
}

export function dmUpdate(fromId: number, text: string, id = updateId()): Record<string, unknown> {
  return {
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      from: { id: fromId, is_bot: false, first_name: `User${fromId}` },
      chat: { id: fromId, type: "private" },
      text,
    },
  };
}

export function groupUpdate(fromId: number, groupId: number, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const id = updateId();
  return {
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      from: { id: fromId, is_bot: false, first_name: `User${fromId}` },
      chat: { id: groupId, type: "supergroup" },
      text,
      ...extra,
    },
  };
}

export function buttonUpdate(fromId: number, data: string, promptChatId: number, promptMessageId = 1): Record<string, unknown> {
  const id = updateId();
  return {
    update_id: id,
    callback_query: {
      id: `cb-${id}`,
      from: { id: fromId, is_bot: false, first_name: `User${fromId}` },
      message: { message_id: promptMessageId, date: 0, chat: { id: promptChatId, type: "private" } },
      chat_instance: "x",
      data,
    },
  };
}
