import { DurableObject } from "cloudflare:workers";
import { newPairingCode } from "../../shared/access/pairing-code.js";
import { PairingStore } from "../../shared/access/pairing-store.js";
import { constantTimeEqual } from "../../shared/constant-time.js";
import { channelOfAccount, type ChannelClient } from "../channels/channel-client.js";
import type { ChannelEvent } from "../channels/channel-event.js";
import { channelClient } from "../channels/clients.js";
import type { TelegramUpdate } from "../channels/telegram/update.js";
import { AllowedSenders } from "./allowed-senders.js";
import { actorOf, type EdgeSettings, type Gate } from "./gate.js";
import { handleButton } from "./handle-button.js";
import { handleChatMessage } from "./handle-chat-message.js";
import { DEDUPE_WINDOW_MS, Inbox, type InboxEntry } from "./inbox.js";
import { RateLimiter } from "./rate-limiter.js";
import { senderRule } from "./sender-limits.js";
import { ReplyDelivery } from "./reply-delivery.js";
import { GATEKEEPER_SCHEMA } from "./schema.js";
import { SqlPairingRows } from "./sql-pairing-rows.js";
import { UndeliveredReplies } from "./undelivered-replies.js";
import { flushQuietRefusals, QuietRefusals, quietAudit } from "./quiet-refusals.js";
import { listAllowed, listPending, revokeSender, setSenderRole, type AllowedView, type PendingView } from "./gatekeeper-admin.js";
import { decidePairing, type PairingDecision } from "./pairing-actions.js";
import type { PairingAction } from "../channels/telegram/owner-prompt.js";
import type { GrantableRole, Role } from "../../shared/access/roles.js";
import { currentStanding, type AskedFrom } from "./current-standing.js";
import { KnownAccounts, type KnownAccount } from "./known-accounts.js";
import { migrateOnStart } from "../storage/migrations.js";
import { SettingsRow, StoredEdgeSettings } from "../storage/settings-row.js";

/** An update that failed this often is dropped (and audited) instead of blocking the inbox. */
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 2_000;
/** Decided and expired pairing requests are kept a day, so "already used" stays a clear answer. */
const KEEP_PAIRING_ROWS_MS = 24 * 60 * 60 * 1000;

/**
 * One per channel account: the durable inbox (dedupe by update_id, processed after the webhook
 * answered, retried by alarm), pairing, approved senders and roles, rate limits.
 */
export class Gatekeeper extends DurableObject<Env> {
  /**
   * Business time: pairing expiry, rate limits, dedupe window. Tests move it forward instead of
   * sleeping (runInDurableObject); alarms always use the real clock.
   */
  clock: () => number = () => Date.now();
  private readonly sql: SqlStorage;
  private readonly inbox: Inbox;
  private readonly rows: SqlPairingRows;
  private readonly allowed: AllowedSenders;
  private readonly limits: RateLimiter;
  private readonly undelivered: UndeliveredReplies;
  private readonly quiet: QuietRefusals;
  /** The settings the Worker last passed in: the alarm has no request to read config from. */
  private readonly settings: SettingsRow<EdgeSettings>;
  private draining: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateOnStart(ctx, GATEKEEPER_SCHEMA);
    this.inbox = new Inbox(this.sql);
    this.rows = new SqlPairingRows(this.sql);
    this.allowed = new AllowedSenders(this.sql);
    this.limits = new RateLimiter(this.sql);
    this.undelivered = new UndeliveredReplies(this.sql);
    this.quiet = new QuietRefusals(this.sql);
    this.settings = new SettingsRow(this.sql, StoredEdgeSettings);
  }

  /**
   * The webhook's only call: store the update durably unless its id was seen, and schedule
   * processing. Returns before anything is processed, so Telegram gets its 200 at once.
   */
  async receive(settings: EdgeSettings, update: TelegramUpdate): Promise<{ stored: boolean }> {
    return this.receiveDelivery(settings, update.update_id, JSON.stringify(update));
  }

  /**
   * The same for any channel: a verified payload as its route read it, under the numeric id the
   * channel dedupes by (Slack's event_id, hashed). Its channel client reads it when it is processed.
   */
  async receiveDelivery(settings: EdgeSettings, deliveryId: number, body: string): Promise<{ stored: boolean }> {
    this.settings.save(settings);
    const stored = this.inbox.accept(deliveryId, body, this.clock());
    if (stored && !(await this.retryWaiting())) await this.ctx.storage.setAlarm(Date.now());
    return { stored };
  }

  /**
   * A failed update is waiting for its retry alarm: a new one queues behind it and does not bring
   * the retry forward (else a few quick messages would use up its attempts within a second).
   */
  private async retryWaiting(): Promise<boolean> {
    return this.draining === null && (this.inbox.next()?.attempts ?? 0) > 0 && (await this.ctx.storage.getAlarm()) !== null;
  }

  override async alarm(): Promise<void> {
    await this.drain();
    const settings = this.settings.load();
    if (settings) await this.delivery(channelClient(this.env, settings)).retryDue();
  }

  /** Updates stored and not yet handled (for status and tests). */
  inboxDepth(): number {
    return this.inbox.depth();
  }

  /**
   * A reply from elsewhere (a late tool result from a RunnerHub): sent now, or kept and retried
   * with the Gatekeeper's own replies. Resolves once it is sent or durably kept.
   */
  async deliverReply(fallback: EdgeSettings, chatId: string, text: string): Promise<void> {
    // The settings the webhook last stored are authoritative; the caller's only fill a gap.
    let settings = this.settings.load();
    if (!settings) {
      this.settings.save(fallback);
      settings = fallback;
    }
    await this.delivery(channelClient(this.env, settings)).send(chatId, text);
  }

  /** Replies kept because Telegram could not take them yet (for status and tests). */
  undeliveredReplies(): number {
    return this.undelivered.count();
  }

  // Admin operations (the admin API and CLI): each takes the settings the Worker just parsed.
  pairingList(settings: EdgeSettings): PendingView[] {
    return listPending(this.gate(settings));
  }

  pairingDecide(settings: EdgeSettings, action: PairingAction, code: string, role?: GrantableRole): Promise<PairingDecision> {
    return decidePairing(this.gate(settings), action, code, "admin", role);
  }

  allowList(settings: EdgeSettings): AllowedView[] {
    return listAllowed(this.gate(settings));
  }

  allowRevoke(settings: EdgeSettings, senderId: string): Promise<{ removed: boolean; inConfig: boolean }> {
    return revokeSender(this.gate(settings), senderId, "admin");
  }

  allowSetRole(settings: EdgeSettings, senderId: string, role: GrantableRole): Promise<AllowedView | null> {
    return setSenderRole(this.gate(settings), senderId, role, "admin");
  }

  /** The account directory (only the "~accounts" instance, account-directory.ts): an account was seen now. */
  noteAccount(account: string): void {
    new KnownAccounts(this.sql).note(account, Date.now());
  }

  knownAccounts(): KnownAccount[] {
    return new KnownAccounts(this.sql).list();
  }

  /** A sender's role now, for the re-check when the owner allows an approval (current-standing.ts). */
  standingOf(settings: EdgeSettings, senderId: string, from: AskedFrom): Role | null {
    return currentStanding(settings, this.allowed.roleOf(senderId), senderId, from);
  }

  /**
   * One tool call of an assistant turn, taken from the sender's tool bucket as a /run's is, so a
   * turn's calls count per call. Null: allowed; else how long until the bucket lets one through.
   */
  spendToolCall(settings: EdgeSettings, senderKey: string, role: Role): number | null {
    const senderId = /^[a-z]+:(.+)$/.exec(senderKey)?.[1] ?? senderKey;
    const verdict = this.limits.take(`tool:${senderId}`, senderRule(settings.access.rateLimits, role, "tool"), this.clock());
    return verdict.allowed ? null : verdict.retryAfterMs;
  }

  /** Processes the inbox in arrival order; one drain at a time. */
  drain(): Promise<void> {
    this.draining ??= this.drainAll().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainAll(): Promise<void> {
    const now = this.clock();
    this.inbox.forgetSeenBefore(now - DEDUPE_WINDOW_MS);
    this.rows.prune(now - KEEP_PAIRING_ROWS_MS);
    this.limits.prune(now);
    const settings = this.settings.load();
    await flushQuietRefusals(this.env, this.quiet, now, settings ? channelOfAccount(settings.account) : "telegram");
    if (!settings) return;
    for (let entry = this.inbox.next(); entry; entry = this.inbox.next()) {
      try {
        await this.process(this.gate(settings), entry);
        this.inbox.done(entry.seq);
      } catch (error) {
        console.error(
          JSON.stringify({ event: "inbox.process_failed", updateId: entry.updateId, attempt: entry.attempts + 1, error: String(error) }),
        );
        await this.ctx.storage.setAlarm(Date.now() + RETRY_BASE_MS * 2 ** entry.attempts);
        return;
      }
    }
  }

  private async process(gate: Gate, entry: InboxEntry): Promise<void> {
    if (entry.stage !== "tool_call") {
      if (entry.attempts >= MAX_ATTEMPTS) return this.drop(gate, entry);
      // Counted before the body is read: a body that cannot be read is dropped too, not retried forever.
      this.inbox.mark(entry.seq, "started");
    }
    const event = gate.client.read(entry.body);
    if (entry.stage === "tool_call") {
      // We crashed while a tool call was out. At most once: say so instead of running it again.
      if (event?.kind === "message") {
        await gate.audit("inbox.interrupted", actorOf(gate, event.senderId), { updateId: entry.updateId });
        await gate.reply(
          event.replyTo ?? event.chatId,
          "⚠️ That command was interrupted before its answer came back here; it will not be re-run. If it had reached the home runner, its result still follows here; otherwise nothing ran.",
        );
      }
      return;
    }
    if (!event) return;
    if (event.kind === "button") return handleButton(gate, event);
    // A retry was charged to its sender's buckets on its first attempt: it spends nothing again.
    return handleChatMessage({ ...gate, retry: entry.attempts > 0 }, event, () => this.inbox.mark(entry.seq, "tool_call"));
  }

  /**
   * Gives up on an update that failed every attempt: audited, and a sender the bot serves is told
   * in their DM (a stranger or a blocked sender still hears nothing).
   */
  private async drop(gate: Gate, entry: InboxEntry): Promise<void> {
    const event = eventOf(gate.client, entry.body);
    await gate.audit("inbox.dropped", event?.kind === "message" ? actorOf(gate, event.senderId) : "unknown", { updateId: entry.updateId });
    if (event?.kind !== "message" || event.chat !== "private") return;
    const role = currentStanding(gate.settings, gate.allowed.roleOf(event.senderId), event.senderId, event);
    if (role !== null && role !== "blocked") {
      await gate.reply(
        event.replyTo ?? event.chatId,
        "⚠️ Your message could not be handled after several tries and was dropped; nothing ran. Please send it again.",
      );
    }
  }

  private gate(settings: EdgeSettings): Gate {
    const clock = () => this.clock();
    const client = channelClient(this.env, settings);
    const delivery = this.delivery(client);
    return {
      env: this.env,
      settings,
      now: clock,
      pairing: new PairingStore(this.rows, {
        maxPending: settings.access.pairing.maxPending,
        ttlMs: settings.access.pairing.codeTtlMinutes * 60_000,
        clock,
        newCode: () => newPairingCode(),
        equal: constantTimeEqual,
        maxWrongAttempts: settings.access.pairing.maxWrongAttempts,
      }),
      allowed: this.allowed,
      limits: this.limits,
      channel: client.channel,
      client,
      reply: (chatId, text) => delivery.send(chatId, text),
      audit: this.auditOn(client.channel),
    };
  }

  /** Repeated refusals are capped per actor and kind (quiet-refusals.ts); the rest go straight to the log. */
  private auditOn(channel: string): Gate["audit"] {
    return quietAudit(
      this.env,
      this.quiet,
      () => this.clock(),
      (at) => this.wakeAt(at),
      channel,
    );
  }

  private delivery(client: ChannelClient): ReplyDelivery {
    return new ReplyDelivery(
      this.undelivered,
      client,
      () => this.clock(),
      (at) => this.wakeAt(at),
      this.auditOn(client.channel),
    );
  }

  /** One alarm serves the inbox and the replies: keep whichever wake-up is earliest. */
  private async wakeAt(at: number): Promise<void> {
    const realAt = Date.now() + Math.max(0, at - this.clock());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > realAt) await this.ctx.storage.setAlarm(realAt);
  }
}

/** The event a stored update carries, or null when it cannot be read. */
function eventOf(client: ChannelClient, body: string): ChannelEvent | null {
  try {
    return client.read(body);
  } catch {
    return null;
  }
}
