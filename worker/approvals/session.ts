import { DurableObject } from "cloudflare:workers";
import { runnerFor } from "../../shared/sessions/runner-routing.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import type { ButtonTap } from "../channels/channel-event.js";
import { botApi } from "../channels/telegram/bot-api.js";
import type { GatewayConfig } from "../config.js";
import { newCallId, submitCall } from "../tunnel/submit-call.js";
import { KEEP_DECIDED_MS } from "./approval-index.js";
import { approvalIndex } from "./approval-stubs.js";
import { auditApproval } from "./approval-effects.js";
import { announceDecision, type Ending } from "./announce-decision.js";
import { ApprovalRows } from "./approval-rows.js";
import { newApprovalId, viewOf, type Approval, type ApprovalView, type Asker, type Decision } from "./approval.js";
import { handOver, HANDOVER_RETRY_MS } from "./hand-over.js";
import { expireDue } from "./expire-approvals.js";
import { answerTap, promptOwner } from "./owner-prompt.js";
import { recheckAsker } from "./recheck.js";
import { SESSION_SCHEMA } from "./session-schema.js";
import { migrateOnStart } from "../storage/migrations.js";
import { SettingsRow, StoredGatewayConfig } from "../storage/settings-row.js";

export type AskInput = {
  settings: GatewayConfig;
  session: string;
  request: ToolRequest;
  label: string;
  reason: string;
  asker: Asker;
  ttlMs: number;
  /** An assistant turn picks the call id when it asks, so the result it waits for carries an id it knows. */
  callId?: string;
};
/** `full`: the session already holds `cap` pending approvals; nothing was stored and the owner was not pinged. */
export type AskResult = { kind: "asked"; id: string; expiresAt: number; ownerTold: boolean } | { kind: "full"; cap: number };
/** `button` is the owner's tap (on `account`'s channel), answered here as soon as the outcome is known. */
export type DecideInput = {
  settings: GatewayConfig;
  /** The channel account whose Gatekeeper holds the sender's standing (the re-check). */
  account: string;
  id: string;
  decision: Decision;
  actor: string;
  button?: ButtonTap;
};
export type DecideResult =
  | { kind: "decided"; approval: ApprovalView; message: string; result: string | null }
  | { kind: "already"; approval: ApprovalView; message: string }
  | { kind: "unknown"; message: string };

/**
 * One per session key: the session's pending approvals. A decision is one synchronous SQLite
 * step, so whatever decides first (a tap, the admin API, the expiry alarm) wins and the rest
 * are told it was already decided. Allow once re-checks the sender's standing, then hands the
 * call over under one call id, retried by the alarm until it is in the runner's outbox.
 */
export class Session extends DurableObject<Env> {
  /** Business time (expiry, retries); tests move it forward instead of waiting. Alarms use the real clock. */
  clock: () => number = () => Date.now();
  /** The tunnel's submit; tests wrap it to make a hand-over fail the way a crash or an outage would. */
  submit: typeof submitCall = submitCall;
  private readonly rows: ApprovalRows;
  /** The config the Worker last passed in: the alarm has no request to read it from. */
  private readonly settings: SettingsRow<GatewayConfig>;
  /** Hand-overs in progress in this instance, so the alarm never submits alongside a decision. */
  private readonly handing = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateOnStart(ctx, SESSION_SCHEMA);
    this.settings = new SettingsRow(ctx.storage.sql, StoredGatewayConfig);
    this.rows = new ApprovalRows(ctx.storage.sql);
  }

  async ask(input: AskInput): Promise<AskResult> {
    this.settings.save(input.settings);
    await this.expireDue();
    const now = this.clock();
    const approval: Approval = {
      ...{ id: newApprovalId(), session: input.session, request: input.request, label: input.label, reason: input.reason },
      ...{ asker: input.asker, createdAt: now, expiresAt: now + input.ttlMs, state: "pending", decidedBy: null, decidedAt: null },
      ...{ prompt: null, note: null, callId: input.callId ?? null, handedOver: false, attempts: 0 },
    };
    const cap = input.settings.access.tools.maxPendingApprovals;
    const { inserted, pending } = this.rows.insertWithin(approval, cap);
    if (!inserted) {
      await auditApproval(this.env, "approval.cap_full", approval.asker.senderKey, approval, { id: null, pending, cap });
      return { kind: "full", cap };
    }
    await this.scheduleWake();
    // Listed before the owner can tap: a tap looks the session up here.
    await approvalIndex.put(this.env, viewOf(approval));
    await auditApproval(this.env, "approval.asked", approval.asker.senderKey, approval, {
      reason: input.reason.slice(0, 300),
      expiresAt: new Date(approval.expiresAt).toISOString(),
    });
    const prompt = await promptOwner(this.env, input.settings, approval, now);
    if (prompt !== null) this.rows.setPrompt(approval.id, prompt);
    return { kind: "asked", id: approval.id, expiresAt: approval.expiresAt, ownerTold: prompt !== null };
  }

  async decide(input: DecideInput): Promise<DecideResult> {
    this.settings.save(input.settings);
    const api = botApi(this.env, input.settings);
    const answer = async (text: string, alert = false) => {
      if (input.button) await answerTap(this.env, input.settings, input.account, input.button, text, alert);
    };
    await this.expireDue();
    const found = this.rows.find(input.id);
    if (!found) {
      await answer("Unknown approval.", true);
      return { kind: "unknown", message: `no approval ${input.id}` };
    }
    // Allow re-checks the sender as they stand now: revoked, blocked or narrowed since the ask runs nothing.
    const check =
      found.state === "pending" && input.decision === "allow"
        ? await recheckAsker(this.env, { ...input.settings, account: input.account }, found)
        : null;
    const now = this.clock();
    const ending: Ending =
      check?.ok === false ? { kind: "refused", check } : input.decision === "allow" ? { kind: "allowed" } : { kind: "denied" };
    const extra =
      ending.kind === "allowed"
        ? {
            callId:
              found.callId ??
              newCallId(runnerFor(input.settings.access.runners, input.settings.defaultRunner, found.session, found.request.tool)),
            retryAt: now + HANDOVER_RETRY_MS,
          }
        : { note: ending.kind === "refused" ? `${ending.check.why}; nothing ran.` : undefined };
    const won = this.rows.settle(input.id, ending.kind === "allowed" ? "allowed" : "denied", input.actor, now, extra);
    const approval = this.rows.find(input.id) ?? found;
    if (!won) {
      const message = `Approval ${approval.id} was already ${approval.state}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}; nothing changed.`;
      await answer(message, true);
      return { kind: "already", approval: viewOf(approval), message };
    }
    // A crash from here on leaves the allowed call for the alarm to hand over.
    if (ending.kind === "allowed") await this.scheduleWake();
    const message = await announceDecision(
      this.env,
      api,
      { ...input.settings, account: input.account },
      approval,
      input.actor,
      ending,
      input.button,
    );
    const result = ending.kind === "allowed" ? await this.handOverOnce(api, approval) : null;
    if (ending.kind === "allowed") await this.scheduleWake();
    return { kind: "decided", approval: viewOf(approval), message, result };
  }

  override async alarm(): Promise<void> {
    await this.expireDue();
    const settings = this.settings.load();
    if (settings) {
      const api = botApi(this.env, settings);
      for (const approval of this.rows.handoversDue(this.clock())) await this.handOverOnce(api, approval);
    }
    this.rows.pruneDecidedBefore(this.clock() - KEEP_DECIDED_MS);
    await this.scheduleWake();
  }

  private async handOverOnce(api: ReturnType<typeof botApi>, approval: Approval): Promise<string | null> {
    if (this.handing.has(approval.id)) return null;
    this.handing.add(approval.id);
    try {
      return await handOver(
        { env: this.env, rows: this.rows, api, now: this.clock(), submit: this.submit, settings: this.settings.load() },
        approval,
      );
    } finally {
      this.handing.delete(approval.id);
    }
  }

  private async expireDue(): Promise<void> {
    await expireDue(this.env, this.rows, this.settings.load(), this.clock());
  }

  /** The next expiry or hand-over retry. In business time; a clock moved by a test can put it in the past, which runs it at once. */
  private async scheduleWake(): Promise<void> {
    const next = this.rows.nextWake();
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }
}
