import { env } from "cloudflare:test";
import { inject } from "vitest";
import { z } from "zod";
import { app } from "../../worker/app.js";
import { hmacHex } from "../../worker/channels/slack/signature.js";
import { readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";
import { GatekeeperHarness } from "./gatekeeper-harness.js";

/** A Web API call as the Slack stand-in recorded it. */
export const SlackCall = z.object({ token: z.string(), method: z.string(), params: z.record(z.string(), z.unknown()) }).strict();
export type SlackCall = z.infer<typeof SlackCall>;
const SlackCalls = z.array(SlackCall);

/**
 * A Slack id no other test uses: `U…` users, `T…` teams, `C…` channels, `D…` DMs. Random per
 * draw (test files share Durable Object storage), upper-case letters and digits as Slack's are.
 */
export function slackId(prefix: "U" | "T" | "C" | "D" | "Ev"): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return prefix + Array.from(crypto.getRandomValues(new Uint8Array(10)), (byte) => alphabet[byte % alphabet.length]).join("");
}

export type Signing = { timestamp?: number; signature?: string | null; secret?: string; retry?: number };

/**
 * One Slack workspace of its own (a unique team id, so its own Gatekeeper), an owner on Slack,
 * an access config, and the Web API stand-in the Gatekeeper replies through.
 */
export class SlackHarness extends GatekeeperHarness {
  readonly env: Env;
  readonly teamId: string;
  readonly botUser = slackId("U");

  constructor(
    readonly ownerId: string,
    access: unknown = {},
    overrides: Partial<Env> = {},
  ) {
    const teamId = slackId("T");
    super(`slack:${teamId}`);
    this.teamId = teamId;
    this.env = {
      ...env,
      SLACK_API_ROOT: inject("slackApiRoot"),
      DRAWBRIDGE_OWNER: `telegram:111111111,slack:${ownerId}`,
      DRAWBRIDGE_ACCESS: JSON.stringify(access),
      ...overrides,
    };
  }

  /** Posts a raw body to a Slack route, signed as Slack signs (or mis-signed, as `signing` says). */
  async postRaw(path: string, body: string, contentType: string, signing: Signing = {}): Promise<Response> {
    const timestamp = String(signing.timestamp ?? Math.floor(Date.now() / 1000));
    const secret = signing.secret ?? this.env.SLACK_SIGNING_SECRET ?? "";
    const signature = signing.signature === undefined ? `v0=${await hmacHex(secret, `v0:${timestamp}:${body}`)}` : signing.signature;
    const headers: Record<string, string> = { "content-type": contentType, "x-slack-request-timestamp": timestamp };
    if (signature !== null) headers["x-slack-signature"] = signature;
    if (signing.retry !== undefined) {
      headers["x-slack-retry-num"] = String(signing.retry);
      headers["x-slack-retry-reason"] = "http_timeout";
    }
    return app.request(path, { method: "POST", headers, body }, this.env, executionContext);
  }

  /** An Events API envelope around one event. */
  envelope(event: Record<string, unknown>, eventId = slackId("Ev")): Record<string, unknown> {
    return {
      token: "unused-verification-token",
      team_id: this.teamId,
      api_app_id: "A0TESTAPP",
      event,
      type: "event_callback",
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: this.teamId, user_id: this.botUser, is_bot: true }],
    };
  }

  async postEvent(envelope: Record<string, unknown>, signing: Signing = {}): Promise<Response> {
    return this.postRaw("/slack/events", JSON.stringify(envelope), "application/json", signing);
  }

  /** A DM from `user` in their conversation with the app, handled to the end. */
  async dm(user: string, text: string, dmChannel = dmOf(user)): Promise<Response> {
    const response = await this.postEvent(
      this.envelope({ type: "message", channel: dmChannel, user, text, ts: "1.1", channel_type: "im", event_ts: "1.1" }),
    );
    await this.settle();
    return response;
  }

  /** A channel message that mentions the app (Slack's app_mention), handled to the end. */
  async mention(user: string, channel: string, text: string): Promise<Response> {
    const response = await this.postEvent(
      this.envelope({ type: "app_mention", channel, user, text: `<@${this.botUser}> ${text}`, ts: "1.2", event_ts: "1.2" }),
    );
    await this.settle();
    return response;
  }

  /** A tap on a Block Kit button carrying `value`, on the prompt `ts` in `channel`, handled to the end. */
  async tap(user: string, value: string, channel: string, ts: string): Promise<Response> {
    const payload = {
      type: "block_actions",
      user: { id: user, username: "someone", team_id: this.teamId },
      api_app_id: "A0TESTAPP",
      token: "unused-verification-token",
      container: { type: "message", message_ts: ts, channel_id: channel, is_ephemeral: false },
      trigger_id: `${Date.now()}.${Math.random().toString().slice(2)}`,
      team: { id: this.teamId, domain: "test" },
      channel: { id: channel, name: "directmessage" },
      response_url: "https://hooks.slack.com/actions/unused",
      actions: [
        { action_id: "drawbridge_0", block_id: "b", type: "button", value, action_ts: "1.3", text: { type: "plain_text", text: "x" } },
      ],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const response = await this.postRaw("/slack/interactivity", body, "application/x-www-form-urlencoded");
    await this.settle();
    return response;
  }

  /** Every Web API call the stand-in took for one channel (a conversation or a user id). */
  async sentTo(channel: string, method = "chat.postMessage"): Promise<SlackCall[]> {
    const calls = await readJson(await fetch(`${inject("slackApiRoot")}/__standin/calls`), SlackCalls);
    return calls.filter((call) => call.method === method && call.params.channel === channel);
  }

  async messagesTo(channel: string): Promise<string[]> {
    return (await this.sentTo(channel)).map((call) => String(call.params.text));
  }

  /** Slack fails the next `count` calls of `method` to `channel` (see SlackOutage). */
  async outage(outage: { method: string; channel: string; count: number; error?: string; status?: number; retryAfter?: number }) {
    await fetch(`${inject("slackApiRoot")}/__standin/outage`, { method: "POST", body: JSON.stringify(outage) });
  }
}

/** The DM conversation id the tests give a user (any D… id; replies go where the event came from). */
export function dmOf(user: string): string {
  return `D${user.slice(1)}`;
}

/** The buttons of a Block Kit message: each one's label and value. */
export function buttonsOf(call: SlackCall): Array<{ text: string; value: string }> {
  const blocks = z
    .array(
      z.object({
        type: z.string(),
        elements: z.array(z.object({ type: z.string(), text: z.object({ text: z.string() }), value: z.string() })).optional(),
      }),
    )
    .parse(call.params.blocks ?? []);
  return blocks
    .filter((block) => block.type === "actions")
    .flatMap((block) => block.elements ?? [])
    .filter((element) => element.type === "button")
    .map((element) => ({ text: element.text.text, value: element.value }));
}
