import { env } from "cloudflare:test";
import { inject } from "vitest";
import { z } from "zod";
import { app } from "../../worker/app.js";
import { hmacHex } from "../../worker/channels/whatsapp/signature.js";
import { readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";
import { GatekeeperHarness } from "./gatekeeper-harness.js";

/** A send as the Graph API stand-in recorded it. */
export const GraphCall = z
  .object({ token: z.string(), phoneNumberId: z.string(), version: z.string(), body: z.record(z.string(), z.unknown()) })
  .strict();
export type GraphCall = z.infer<typeof GraphCall>;
const GraphCalls = z.array(GraphCall);

/** Digits no other test uses (test files share Durable Object storage): a wa_id, or a phone number id. */
export function waId(digits = 12): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(digits - 1)), (byte) => String(byte % 10)).join("");
  return `${1 + ((crypto.getRandomValues(new Uint8Array(1))[0] ?? 0) % 9)}${random}`;
}

export type Signing = { signature?: string | null; secret?: string };

/** One inbound message as the Cloud API lists it in `value.messages`. */
export type InboundMessage = Record<string, unknown> & { from: string; id: string; type: string };

/**
 * One WhatsApp business number of its own (a unique phone number id, so its own Gatekeeper), an
 * owner on WhatsApp, an access config, and the Graph API stand-in the Gatekeeper replies through.
 */
export class WhatsAppHarness extends GatekeeperHarness {
  readonly env: Env;
  readonly phoneNumberId: string;

  constructor(
    readonly ownerId: string,
    access: unknown = {},
    overrides: Partial<Env> = {},
  ) {
    const phoneNumberId = waId(15);
    super(`whatsapp:${phoneNumberId}`);
    this.phoneNumberId = phoneNumberId;
    this.env = {
      ...env,
      WHATSAPP_API_ROOT: `${inject("graphApiRoot")}/v26.0`,
      WHATSAPP_PHONE_NUMBER_ID: this.phoneNumberId,
      DRAWBRIDGE_OWNER: `telegram:111111111,whatsapp:${ownerId}`,
      DRAWBRIDGE_ACCESS: JSON.stringify(access),
      ...overrides,
    };
  }

  /** Posts a raw body to the webhook, signed as Meta signs it (or mis-signed, as `signing` says). */
  async postRaw(body: string, signing: Signing = {}): Promise<Response> {
    const secret = signing.secret ?? this.env.WHATSAPP_APP_SECRET ?? "";
    const signature = signing.signature === undefined ? `sha256=${await hmacHex(secret, body)}` : signing.signature;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signature !== null) headers["x-hub-signature-256"] = signature;
    return app.request("/whatsapp/webhook", { method: "POST", headers, body }, this.env, executionContext);
  }

  /** The verification handshake Meta makes when the callback URL is saved. */
  async verify(params: Record<string, string>): Promise<Response> {
    return app.request(`/whatsapp/webhook?${new URLSearchParams(params).toString()}`, {}, this.env, executionContext);
  }

  /** A webhook body: one entry, one `messages` change for `phoneNumberId`, with these messages (and their senders as contacts). */
  webhook(messages: InboundMessage[], phoneNumberId = this.phoneNumberId, names: Record<string, string> = {}): Record<string, unknown> {
    const senders = [...new Set(messages.map((message) => message.from))];
    return {
      object: "whatsapp_business_account",
      entry: [{ id: "102290129340398", changes: [{ field: "messages", value: this.value(messages, phoneNumberId, senders, names) }] }],
    };
  }

  value(messages: InboundMessage[], phoneNumberId: string, senders: string[], names: Record<string, string> = {}): Record<string, unknown> {
    return {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
      contacts: senders.map((wa_id) => ({ profile: { name: names[wa_id] ?? "Sheena Nelson" }, wa_id })),
      messages,
    };
  }

  async post(body: Record<string, unknown>, signing: Signing = {}): Promise<Response> {
    return this.postRaw(JSON.stringify(body), signing);
  }

  /** A text message from `from`, handled to the end. */
  async text(from: string, text: string, id = newMessageId(), names: Record<string, string> = {}): Promise<Response> {
    const response = await this.post(this.webhook([textMessage(from, text, id)], this.phoneNumberId, names));
    await this.settle();
    return response;
  }

  /** A tap on a reply button carrying `payload`, on the prompt `promptId`, handled to the end. */
  async tap(from: string, payload: string, promptId = "wamid.PROMPT"): Promise<Response> {
    const message = {
      context: { from: "15550783881", id: promptId },
      from,
      id: newMessageId(),
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: "interactive",
      interactive: { type: "button_reply", button_reply: { id: payload, title: "✅ Approve" } },
    };
    const response = await this.post(this.webhook([message]));
    await this.settle();
    return response;
  }

  /** Every send the stand-in took for one wa_id from this number. */
  async sentTo(to: string): Promise<GraphCall[]> {
    const calls = await readJson(await fetch(`${inject("graphApiRoot")}/__standin/calls`), GraphCalls);
    return calls.filter((call) => call.phoneNumberId === this.phoneNumberId && call.body.to === to);
  }

  /** The text bodies sent to one wa_id, in order. */
  async textsTo(to: string): Promise<string[]> {
    return (await this.sentTo(to))
      .filter((call) => call.body.type === "text")
      .map((call) => String((call.body.text as { body: string }).body));
  }

  /** The Cloud API refuses the next `count` sends to `to` with Meta's error `code`. */
  async outage(outage: { to: string; count: number; code: number; status?: number }) {
    await fetch(`${inject("graphApiRoot")}/__standin/outage`, { method: "POST", body: JSON.stringify(outage) });
  }
}

export function newMessageId(): string {
  return `wamid.HBgL${waId(14)}FQIAEhgU${crypto.randomUUID().replace(/-/g, "").slice(0, 20).toUpperCase()}AA==`;
}

export function textMessage(from: string, body: string, id = newMessageId()): InboundMessage {
  return { from, id, timestamp: String(Math.floor(Date.now() / 1000)), text: { body }, type: "text" };
}

/** The reply buttons of an interactive message: each one's title and id. */
export function buttonsOf(call: GraphCall): Array<{ title: string; id: string }> {
  const interactive = z
    .object({
      action: z.object({
        buttons: z.array(z.object({ type: z.literal("reply"), reply: z.object({ id: z.string(), title: z.string() }) })),
      }),
    })
    .parse(call.body.interactive);
  return interactive.action.buttons.map((button) => button.reply);
}
