import type { AuditKind } from "../audit/audit-event.js";
import type { ChannelClient } from "../channels/channel-client.js";
import { GIVE_UP_AFTER_MS, MAX_UNDELIVERED, retryDelayMs, type UndeliveredReplies } from "./undelivered-replies.js";

type Audit = (kind: AuditKind, actor: string, detail?: Record<string, string | number | boolean | null>) => Promise<void>;

/**
 * Every reply the Gatekeeper sends goes through here: tried at once, and when the platform cannot
 * take it now (Telegram's 429/5xx, Slack's ok:false), kept and retried by the alarm — never dropped
 * without an audit event.
 */
export class ReplyDelivery {
  constructor(
    private readonly replies: UndeliveredReplies,
    private readonly client: ChannelClient,
    private readonly now: () => number,
    /** Asks for the alarm by business time `at` (the Gatekeeper keeps the earliest request). */
    private readonly wakeAt: (at: number) => Promise<void>,
    private readonly audit: Audit,
  ) {}

  async send(chatId: string, text: string): Promise<void> {
    const now = this.now();
    // Behind a reply that is still waiting: keep the chat's order.
    if (this.replies.waitingFor(chatId)) return this.keep(chatId, text, 0, now);
    const delivery = await this.client.deliver(chatId, text);
    if (delivery.kind === "sent") return;
    if (delivery.kind === "failed") return this.audit("reply.failed", this.actor(chatId), { detail: delivery.detail.slice(0, 300) });
    // Kept either way; a hold (WhatsApp's closed 24-hour window) is told to the audit log once, so it is not lost silently.
    if (delivery.held) await this.audit("reply.held", this.actor(chatId), { reason: delivery.held.slice(0, 300) });
    return this.keep(chatId, text, 1, now + retryDelayMs(1, delivery.afterMs));
  }

  /** Retries what is due, oldest first per chat; runs from the Gatekeeper's alarm. */
  async retryDue(): Promise<void> {
    const now = this.now();
    for (let due = this.replies.due(now); due.length > 0; due = this.replies.due(now)) {
      for (const reply of due) {
        const actor = this.actor(reply.chatId);
        if (now - reply.firstAt > GIVE_UP_AFTER_MS) {
          this.replies.remove(reply.seq);
          await this.audit("reply.given_up", actor, { reason: "undelivered for a day", attempts: reply.attempts });
          continue;
        }
        const delivery = await this.client.deliver(reply.chatId, reply.text);
        if (delivery.kind === "retry") {
          this.replies.retryLater(reply.seq, reply.attempts + 1, now + retryDelayMs(reply.attempts + 1, delivery.afterMs));
          continue;
        }
        this.replies.remove(reply.seq);
        if (delivery.kind === "failed") await this.audit("reply.failed", actor, { detail: delivery.detail.slice(0, 300) });
      }
    }
    const next = this.replies.nextDueAt();
    if (next !== null) await this.wakeAt(next);
  }

  private actor(chatId: string): string {
    return `${this.client.channel}:${this.client.shownAddress?.(chatId) ?? chatId}`;
  }

  private async keep(chatId: string, text: string, attempts: number, nextAt: number): Promise<void> {
    if (this.replies.count() >= MAX_UNDELIVERED) {
      return this.audit("reply.given_up", this.actor(chatId), { reason: `too many replies waiting for ${this.client.channel}`, attempts });
    }
    this.replies.add(chatId, text, attempts, this.now(), Math.max(nextAt, this.now()));
    await this.wakeAt(this.replies.nextDueAt() ?? nextAt);
  }
}
