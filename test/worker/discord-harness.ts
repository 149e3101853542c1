import { env } from "cloudflare:test";
import { inject } from "vitest";
import { z } from "zod";
import { app } from "../../worker/app.js";
import { readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";
import { GatekeeperHarness } from "./gatekeeper-harness.js";

/** A REST call as the Discord stand-in recorded it. */
export const DiscordCall = z.object({ method: z.string(), path: z.string(), auth: z.string(), body: z.unknown() }).strict();
export type DiscordCall = z.infer<typeof DiscordCall>;
const DiscordCalls = z.array(DiscordCall);

const DISCORD_EPOCH_MS = 1_420_070_400_000n;
let sequence = 0;

/** A snowflake made now (so an interaction's token counts as fresh), unique per draw. */
export function snowflake(atMs = Date.now()): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return String(((BigInt(atMs) - DISCORD_EPOCH_MS) << 22n) | BigInt((random + ++sequence) % 4_194_304));
}

/** The DM channel id the stand-in gives a user (`2` + the id's other digits). */
export function dmOf(user: string): string {
  return `2${user.slice(1)}`;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** An Ed25519 key pair as a Discord application has one: the public key as hex, the private key to sign with. */
export async function newAppKeys(): Promise<{ publicHex: string; privateKey: CryptoKey }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  return { publicHex: hex((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer), privateKey: pair.privateKey };
}

export type Signing = { timestamp?: number; signature?: string | null; key?: CryptoKey };
type Where = { guildId?: string; channelId?: string };

/**
 * One Discord application of its own (a fresh application id, so its own Gatekeeper, and its
 * own key pair): an owner on Discord, an access config, and the REST stand-in it answers through.
 */
export class DiscordHarness extends GatekeeperHarness {
  private constructor(
    readonly env: Env,
    readonly appId: string,
    readonly ownerId: string,
    private readonly privateKey: CryptoKey,
  ) {
    super(`discord:${appId}`);
  }

  static async create(ownerId: string, access: unknown = {}, overrides: Partial<Env> = {}): Promise<DiscordHarness> {
    const keys = await newAppKeys();
    const appId = snowflake();
    const harnessEnv: Env = {
      ...env,
      DISCORD_APPLICATION_ID: appId,
      DISCORD_API_ROOT: inject("discordApiRoot"),
      DISCORD_PUBLIC_KEY: keys.publicHex,
      DRAWBRIDGE_OWNER: `telegram:111111111,discord:${ownerId}`,
      DRAWBRIDGE_ACCESS: JSON.stringify(access),
      ...overrides,
    };
    return new DiscordHarness(harnessEnv, appId, ownerId, keys.privateKey);
  }

  /** Discord's signature: hex Ed25519 over timestamp + body, with the application's key (or `key`). */
  async sign(timestamp: string, body: string, key: CryptoKey = this.privateKey): Promise<string> {
    return hex(await crypto.subtle.sign({ name: "Ed25519" }, key, new TextEncoder().encode(timestamp + body)));
  }

  /** Posts a raw body to /discord/interactions, signed as Discord signs (or mis-signed, as `signing` says). */
  async postRaw(body: string, signing: Signing = {}): Promise<Response> {
    const timestamp = String(signing.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = signing.signature === undefined ? await this.sign(timestamp, body, signing.key) : signing.signature;
    const headers: Record<string, string> = { "content-type": "application/json", "x-signature-timestamp": timestamp };
    if (signature !== null) headers["x-signature-ed25519"] = signature;
    return app.request("/discord/interactions", { method: "POST", headers, body }, this.env, executionContext);
  }

  /** An APPLICATION_COMMAND interaction: `/name` with string options, from `user` in a DM or a guild channel. */
  command(user: string, name: string, options: Record<string, string> = {}, where: Where = {}): Record<string, unknown> {
    const author = { id: user, username: `user${user.slice(-4)}`, global_name: "Someone", discriminator: "0" };
    const channelId = where.channelId ?? dmOf(user);
    return {
      id: snowflake(),
      application_id: this.appId,
      type: 2,
      token: `aW50ZXJhY3Rpb246${crypto.randomUUID().replace(/-/g, "")}`,
      version: 1,
      channel_id: channelId,
      channel: { id: channelId, type: where.guildId ? 0 : 1 },
      ...(where.guildId ? { guild_id: where.guildId, member: { user: author, roles: [] } } : { user: author }),
      data: {
        id: snowflake(),
        name,
        type: 1,
        ...(Object.keys(options).length ? { options: Object.entries(options).map(([key, value]) => ({ name: key, type: 3, value })) } : {}),
      },
    };
  }

  /** A slash command sent and handled to the end; the interaction is returned to find its follow-ups. */
  async slash(user: string, name: string, options: Record<string, string> = {}, where: Where = {}) {
    const interaction = this.command(user, name, options, where);
    const response = await this.postRaw(JSON.stringify(interaction));
    await this.settle();
    return { response, interaction, token: String(interaction.token) };
  }

  /** A MESSAGE_COMPONENT interaction: `user` taps the button `customId` on the message `messageId` in `channelId`. */
  async tap(user: string, customId: string, channelId: string, messageId: string) {
    const token = `dGFwOnRva2Vu${crypto.randomUUID().replace(/-/g, "")}`;
    const interaction = {
      id: snowflake(),
      application_id: this.appId,
      type: 3,
      token,
      version: 1,
      channel_id: channelId,
      user: { id: user, username: "tapper", discriminator: "0" },
      message: { id: messageId, channel_id: channelId, content: "🔐 Pairing request" },
      data: { custom_id: customId, component_type: 2 },
    };
    const response = await this.postRaw(JSON.stringify(interaction));
    await this.settle();
    return { response, token };
  }

  async calls(): Promise<DiscordCall[]> {
    return await readJson(await fetch(`${inject("discordApiRoot")}/__standin/calls`), DiscordCalls);
  }

  /** The follow-ups sent through one interaction's webhook (their content). */
  async followups(token: string): Promise<string[]> {
    const path = `/webhooks/${this.appId}/${token}`;
    return (await this.calls()).filter((call) => call.method === "POST" && call.path === path).map((call) => contentOf(call));
  }

  /** Bot messages posted in one channel. */
  async posted(channelId: string): Promise<DiscordCall[]> {
    return (await this.calls()).filter((call) => call.method === "POST" && call.path === `/channels/${channelId}/messages`);
  }

  async outage(outage: { path: string; count: number; status: number; retryAfter?: number }): Promise<void> {
    await fetch(`${inject("discordApiRoot")}/__standin/outage`, { method: "POST", body: JSON.stringify(outage) });
  }
}

export function contentOf(call: DiscordCall): string {
  const content = (call.body as { content?: unknown } | null)?.content;
  return typeof content === "string" ? content : "";
}

/** The buttons of a message: each one's label and custom_id. */
export function buttonsOf(call: DiscordCall): Array<{ label: string; customId: string }> {
  const rows = z
    .array(z.object({ type: z.literal(1), components: z.array(z.object({ type: z.number(), label: z.string(), custom_id: z.string() })) }))
    .parse((call.body as { components?: unknown }).components ?? []);
  return rows.flatMap((row) => row.components.filter((c) => c.type === 2).map((c) => ({ label: c.label, customId: c.custom_id })));
}
