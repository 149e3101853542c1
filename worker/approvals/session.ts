import { DurableObject } from "cloudflare:workers";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { botApi } from "../channels/telegram/bot-api.js";
import { answerButton } from "../channels/telegram/owner-prompt.js";
import { sendApprovalPrompt } from "../channels/telegram/approval-prompt.js";
import type { GatewayConfig } from "../config.js";
import { KEEP_DECIDED_MS } from "./approval-index.js";
import { approvalIndex } from "./approval-stubs.js";
import { auditApproval, publish, showOutcomeToOwner, tellSender } from "./approval-effects.js";
import { ApprovalRows } from "./approval-rows.js";
import { newApprovalId, viewOf, type Approval, type ApprovalView, type Asker, type Decision } from "./approval.js";
import { runApproved } from "./run-approved.js";

export type AskInput = {
  settings: GatewayConfig;
  session: string;
  request: ToolRequest;
  label: string;
  reason: string;
  asker: Asker;
  ttlMs: number;
};
export type AskResult = { id: string; expiresAt: number; ownerTold: boolean };
/** `button` is the owner's tap, answered here as soon as the outcome is known. */
export type DecideInput = { settings: GatewayConfig; id: string; decision: Decision; actor: string; button?: { callbackId: string } };
export type DecideResult =
  | { kind: "decided"; approval: ApprovalView; message: string; result: string | null }
  | { kind: "already"; approval: ApprovalView; message: string }
  | { kind: "unknown"; message: string };

/**
 * One per session key: the session's pending approvals. A decision is one synchronous SQLite
 * step, so whatever decides first (a tap, the admin API, the expiry alarm) wins and the rest
 * are told it was already decided. Allow once submits the call exactly once.
 */
export class Session extends DurableObject<Env> {
  /** Business time (expiry); tests move it forward instead of waiting. Alarms use the real clock. */
  clock: () => number = () => Date.now();
  private readonly rows: ApprovalRows;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY, json TEXT NOT NULL)");
    this.rows = new ApprovalRows(ctx.storage.sql);
  }

  async ask(input: AskInput): Promise<AskResult> {
    this.saveSettings(input.settings);
    const now = this.clock();
    const approval: Approval = {
      id: newApprovalId(),
      session: input.session,
      request: input.request,
      label: input.label,
      reason: input.reason,
      asker: input.asker,
      createdAt: now,
      expiresAt: now + input.ttlMs,
      state: "pending",
      decidedBy: null,
      decidedAt: null,
      prompt: null,
    };
    this.rows.insert(approval);
    await this.scheduleExpiry();
    // Listed before the owner can tap: a tap looks the session up here.
    await approvalIndex.put(this.env, viewOf(approval));
    await auditApproval(this.env, "approval.asked", approval.asker.senderKey, approval, {
      reason: input.reason.slice(0, 300),
      expiresAt: new Date(approval.expiresAt).toISOString(),
    });
    const { owner } = input.settings;
    const messageId =
      owner.channel === "telegram" ? await sendApprovalPrompt(botApi(this.env, input.settings), owner.id, approval, now) : null;
    if (messageId !== null) this.rows.setPrompt(approval.id, owner.id, messageId);
    return { id: approval.id, expiresAt: approval.expiresAt, ownerTold: messageId !== null };
  }

  async decide(input: DecideInput): Promise<DecideResult> {
    this.saveSettings(input.settings);
    const api = botApi(this.env, input.settings);
    const answer = async (text: string, alert = false) => {
      if (input.button) await answerButton(api, input.button.callbackId, text, alert);
    };
    await this.expireDue();
    const now = this.clock();
    const won = this.rows.settle(input.id, input.decision === "allow" ? "allowed" : "denied", input.actor, now);
    const approval = this.rows.find(input.id);
    if (!approval) {
      await answer("Unknown approval.", true);
      return { kind: "unknown", message: `no approval ${input.id}` };
    }
    if (!won) {
      const message = `Approval ${approval.id} was already ${approval.state}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}; nothing changed.`;
      await answer(message, true);
      return { kind: "already", approval: viewOf(approval), message };
    }
    const allowed = approval.state === "allowed";
    await answer(allowed ? "Allowed once — running it now." : "Denied — nothing runs.");
    await auditApproval(this.env, "approval.decided", input.actor, approval, { decision: allowed ? "allow-once" : "deny" });
    await publish(this.env, approval);
    await showOutcomeToOwner(api, approval);
    if (!allowed) {
      await tellSender(api, approval, `❌ The owner denied ${approval.label}; nothing ran.`);
      return { kind: "decided", approval: viewOf(approval), message: `Denied ${approval.label}; nothing ran.`, result: null };
    }
    const result = await runApproved(this.env, input.settings, approval);
    await tellSender(api, approval, result.forSender);
    return { kind: "decided", approval: viewOf(approval), message: `Allowed once: ${approval.label}`, result: result.text };
  }

  override async alarm(): Promise<void> {
    await this.expireDue();
    this.rows.pruneDecidedBefore(this.clock() - KEEP_DECIDED_MS);
    await this.scheduleExpiry();
  }

  /** Expiry means deny: each one is settled once, audited, and the sender and the owner are told. */
  private async expireDue(): Promise<void> {
    const settings = this.loadSettings();
    const now = this.clock();
    for (const due of this.rows.due(now)) {
      if (!this.rows.settle(due.id, "expired", null, now)) continue;
      const approval = this.rows.find(due.id) ?? due;
      await auditApproval(this.env, "approval.expired", approval.asker.senderKey, approval);
      await publish(this.env, approval);
      if (!settings) continue;
      const api = botApi(this.env, settings);
      await showOutcomeToOwner(api, approval);
      await tellSender(api, approval, `⌛ ${approval.label} was not approved in time; nothing ran.`);
    }
  }

  private async scheduleExpiry(): Promise<void> {
    const next = this.rows.nextExpiry();
    if (next === null) return;
    // In business time; a clock moved by a test can put it in the past, which runs it at once.
    await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }

  /** The alarm has no request to read config from: it uses what the Worker last passed in. */
  private saveSettings(settings: GatewayConfig): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO settings (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
      JSON.stringify(settings),
    );
  }

  private loadSettings(): GatewayConfig | null {
    const row = this.ctx.storage.sql.exec<{ json: string }>("SELECT json FROM settings WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.json) as GatewayConfig) : null;
  }
}
