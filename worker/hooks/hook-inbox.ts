import { DurableObject } from "cloudflare:workers";
import type { GatewayConfig } from "../config.js";
import { QuietRefusals } from "../gatekeeper/quiet-refusals.js";
import { migrateOnStart } from "../storage/migrations.js";
import { SettingsRow, StoredGatewayConfig } from "../storage/settings-row.js";
import { handOn } from "./hand-on.js";
import { auditHook, auditRefusal, flushRefusals } from "./hook-audit.js";
import { DeliveryPlan, HookDeliveries, SEEN_FOR_MS } from "./hook-deliveries.js";
import { HOOK_INBOX_SCHEMA } from "./hook-schema.js";

/** A delivery that failed this often is dropped (and audited) instead of blocking the hook. */
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 2_000;

export type IncomingDelivery = { id: string | null; event: string | null; body: string; plan: DeliveryPlan };
export type HookReceipt = { kind: "stored" } | { kind: "duplicate" } | { kind: "limited"; retryAfterMs: number };

/**
 * One per hook: the durable queue of verified deliveries (dedupe by the sender's delivery id),
 * the hook's rate limit, and the cap on its refusal audit. The route answers the sender as soon
 * as `receive` returns; handing a delivery on (a turn, a notice) happens after, retried by alarm.
 */
export class HookInbox extends DurableObject<Env> {
  clock: () => number = () => Date.now();
  private readonly deliveries: HookDeliveries;
  private readonly quiet: QuietRefusals;
  private readonly settings: SettingsRow<GatewayConfig>;
  private draining: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateOnStart(ctx, HOOK_INBOX_SCHEMA);
    this.deliveries = new HookDeliveries(ctx.storage.sql);
    this.quiet = new QuietRefusals(ctx.storage.sql);
    this.settings = new SettingsRow(ctx.storage.sql, StoredGatewayConfig);
  }

  /** A verified delivery: stored unless its id was seen or the hook is over its rate. Nothing runs before this returns. */
  async receive(config: GatewayConfig, incoming: IncomingDelivery): Promise<HookReceipt> {
    const now = this.clock();
    const plan = DeliveryPlan.parse(incoming.plan);
    if (incoming.id !== null && this.deliveries.seen(incoming.id)) return { kind: "duplicate" };
    const retryAfterMs = this.deliveries.spend(plan.hook.perMinute, now);
    if (retryAfterMs !== null) {
      await this.refused(plan.name, { reason: "rate_limited", status: 429 });
      return { kind: "limited", retryAfterMs };
    }
    this.settings.save(config);
    this.deliveries.accept(incoming.id ?? crypto.randomUUID(), incoming.event, incoming.body, plan, now);
    await this.wakeBy(Date.now() + 30_000); // the watchdog, should this drain die
    this.drain().catch((error: unknown) =>
      console.error(JSON.stringify({ event: "hook.drain_failed", error: String(error).slice(0, 300) })),
    );
    return { kind: "stored" };
  }

  /** A refused delivery (bad signature, stale, too big, too many), audited under the hook's cap. */
  async refused(name: string, detail: Record<string, string | number>): Promise<void> {
    await auditRefusal(this.env, this.quiet, name, detail, this.clock(), (at) => this.wakeBy(at));
  }

  /** Deliveries stored and not yet handed on (for tests and status). */
  depth(): number {
    return this.deliveries.depth();
  }

  override async alarm(): Promise<void> {
    await this.drain();
    await flushRefusals(this.env, this.quiet, this.clock());
  }

  /** Hands deliveries on, oldest first; one drain at a time. */
  drain(): Promise<void> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<void> {
    const config = this.settings.load();
    for (let delivery = this.deliveries.next(); config && delivery; delivery = this.deliveries.next()) {
      try {
        await handOn(this.env, config, delivery);
        this.deliveries.done(delivery.seq);
      } catch (error) {
        this.deliveries.failed(delivery.seq);
        console.error(JSON.stringify({ event: "hook.hand_on_failed", hook: delivery.plan.name, error: String(error).slice(0, 300) }));
        if (delivery.attempts + 1 < MAX_ATTEMPTS) {
          await this.wakeBy(Date.now() + RETRY_BASE_MS * 2 ** delivery.attempts);
          return;
        }
        this.deliveries.done(delivery.seq);
        await auditHook(this.env, "hook.dropped", delivery.plan.name, { delivery: delivery.id, attempts: MAX_ATTEMPTS });
      }
    }
    this.deliveries.forgetSeenBefore(this.clock() - SEEN_FOR_MS);
  }

  /** An alarm at `at` unless one is set sooner (one alarm serves the queue, its retries and the audit cap). */
  private async wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
