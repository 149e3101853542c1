import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import type { GatewayConfig } from "../config.js";
import { hookToolSettings } from "../policy/hook-tools.js";
import { migrateOnStart } from "../storage/migrations.js";
import { SettingsRow, StoredGatewayConfig } from "../storage/settings-row.js";
import { ASSISTANT_SCHEMA } from "./assistant-schema.js";
import { budgetOf } from "./budget.js";
import { driveTurn, type TurnEnd, type TurnHost } from "./drive-turn.js";
import { homeModelFetchFor } from "./home-model.js";
import type { ModelSetting } from "./model/model-setting.js";
import { auditTurn } from "./turn-audit.js";
import { sayInChat, showTyping } from "./turn-reply.js";
import { settle, settleOutcome } from "./turn-tools.js";
import { TurnStore } from "./turn-store.js";
import { TurnAsker, type TurnState } from "./turn-state.js";

export const TurnRequest = z
  .object({ session: z.string().min(1).max(200), asker: TurnAsker, text: z.string().min(1).max(16_384) })
  .strict();
export type TurnRequest = z.infer<typeof TurnRequest>;
/** `answered`: the turn ended within the call (the console waits for it); `started`: the answer follows in the chat. */
export type BeginResult = { kind: "answered"; text: string } | { kind: "started" } | { kind: "queued"; ahead: number };

/**
 * One per session key: the assistant's conversation history and the turn in progress. A turn is
 * event-driven — the message, each tool result, each approval decision and the alarm advance it —
 * and everything it needs is in SQLite, so a restart continues it. One turn at a time; messages
 * that arrive meanwhile wait their turn, in order.
 */
export class Assistant extends DurableObject<Env> {
  clock: () => number = () => Date.now();
  private readonly store: TurnStore;
  private readonly settings: SettingsRow<GatewayConfig>;
  private driving: Promise<void> | null = null;
  private again = false;
  /** What the turn said while a console caller waits for it. */
  private consoleLines: string[] = [];
  /** A console caller waiting for its turn to end (it may pause for the owner's approval first). */
  private consoleWaiter: { turn: string; done: () => void } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateOnStart(ctx, ASSISTANT_SCHEMA);
    this.store = new TurnStore(ctx.storage.sql);
    this.settings = new SettingsRow(ctx.storage.sql, StoredGatewayConfig);
  }

  /** A message for the assistant. With `wait` (the console), the turn runs within the call and its words are returned. */
  async begin(config: GatewayConfig, request: TurnRequest, wait: boolean): Promise<BeginResult> {
    this.settings.save(config);
    if (this.store.current()) {
      this.store.enqueue(TurnRequest.parse(request));
      return { kind: "queued", ahead: this.store.waitingCount() };
    }
    const turn = this.start(config, TurnRequest.parse(request));
    if (!wait) {
      await this.kick();
      return { kind: "started" };
    }
    this.consoleLines = [];
    await this.drive();
    // The console has no chat to answer in later: a turn that paused (an approval, a queued call)
    // keeps the caller until it ends, or until its deadline and the approval time have passed.
    if (this.store.current()?.id === turn) {
      const { turnMinutes } = config.access.assistant;
      const limitMs = (turnMinutes + config.access.tools.approvalTtlMinutes) * 60_000 + 5_000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, limitMs);
        this.consoleWaiter = { turn, done: () => (clearTimeout(timer), resolve()) };
      });
      this.consoleWaiter = null;
      if (this.store.current()?.id === turn) this.consoleLines.push("⏳ Still waiting; the answer will be in this conversation's history.");
    }
    return { kind: "answered", text: this.consoleLines.join("\n\n") };
  }

  /** A tool call's outcome, from the runner (by late delivery) or from an allowed approval. Idempotent. */
  async toolSettled(callId: string, outcome: ToolOutcome): Promise<void> {
    const state = this.store.current();
    const call = state?.calls.find((candidate) => candidate.callId === callId && candidate.status !== "settled");
    const config = this.settings.load();
    if (!state || !call || !config) return;
    settleOutcome(this.toolHost(config, state), state, call, outcome);
    await this.kick();
  }

  /** An approval ended without running (denied, expired, refused): the text is the call's result. */
  async approvalSettled(approvalId: string, text: string): Promise<void> {
    const state = this.store.current();
    const call = state?.calls.find((candidate) => candidate.approvalId === approvalId && candidate.status === "asked");
    const config = this.settings.load();
    if (!state || !call || !config) return;
    settle(this.toolHost(config, state), state, call, text, null, "deny");
    await this.kick();
  }

  /** `/new`: the conversation starts over. Returns how many messages were forgotten. */
  reset(): number {
    return this.store.clearHistory();
  }

  /** A sender's use today, for /status. */
  usage(
    config: GatewayConfig,
    senderKey: string,
    role: TurnAsker["role"],
  ): { steps: number; tokens: number; budget: { steps: number; tokens: number } } {
    return { ...this.store.used(senderKey, utcDay(this.clock())), budget: budgetOf(config, role) };
  }

  /**
   * Advances the turn now, without holding up whoever brought the event (the Gatekeeper's inbox,
   * the RunnerHub, a Session). The alarm is the watchdog: if this object dies mid-drive, it runs
   * the turn again from what is stored.
   */
  private async kick(): Promise<void> {
    await this.ctx.storage.setAlarm(this.clock() + 30_000);
    this.drive().catch((error: unknown) =>
      console.error(JSON.stringify({ event: "assistant.drive_failed", error: String(error).slice(0, 300) })),
    );
  }

  override async alarm(): Promise<void> {
    await this.drive();
  }

  private start(config: GatewayConfig, request: TurnRequest): string {
    const now = this.clock();
    const model = config.model;
    const state: TurnState = {
      ...{ id: crypto.randomUUID(), session: request.session, asker: request.asker, text: request.text, status: "thinking" },
      ...{ startedAt: now, deadlineAt: now + config.access.assistant.turnMinutes * 60_000, waitingSince: null },
      ...{ steps: 0, toolBytes: 0, usage: { inputTokens: 0, outputTokens: 0 }, messages: [], calls: [], notes: [], decisions: [] },
      model: model?.id ?? "none",
    };
    this.store.save(state, now);
    return state.id;
  }

  /** One drive at a time; an event during a drive makes it run once more. */
  private async drive(): Promise<void> {
    if (this.driving) {
      this.again = true;
      return this.driving;
    }
    this.driving = (async () => {
      do {
        this.again = false;
        await this.driveOnce();
      } while (this.again);
    })().finally(() => {
      this.driving = null;
    });
    return this.driving;
  }

  private async driveOnce(): Promise<void> {
    const config = this.settings.load();
    let state = this.store.current();
    while (config && state) {
      const model = config.model;
      const end: TurnEnd | null = model
        ? await driveTurn(this.turnHost(config, state, model), state)
        : { outcome: "model_error", text: "⚠️ No model is configured." };
      if (end === null) {
        if (state.waitingSince === null) await this.ctx.storage.setAlarm(state.deadlineAt + 1000);
        return;
      }
      await this.finish(config, state, end);
      const next = this.store.dequeue(TurnRequest);
      if (next) this.start(config, next);
      state = this.store.current();
    }
  }

  private async finish(config: GatewayConfig, state: TurnState, end: TurnEnd): Promise<void> {
    const reply = [end.text, ...state.notes].join("\n\n");
    const last = state.messages.at(-1);
    const answered = end.outcome === "answered" && last?.role === "assistant";
    const limits = { messages: config.access.assistant.historyMessages, bytes: config.access.assistant.historyBytes };
    this.store.append(
      state.id,
      [{ role: "user", content: state.text }, ...state.messages, ...(answered ? [] : [{ role: "assistant" as const, content: end.text }])],
      limits,
    );
    this.store.finish(state.id);
    if (reply.trim() !== "") await sayInChat(this.env, config, state.asker, reply, this.consoleLines);
    if (this.consoleWaiter?.turn === state.id) this.consoleWaiter.done();
    await auditTurn(this.env, state, end);
  }

  private toolHost(config: GatewayConfig, state: TurnState) {
    // A hook's turn: the policy narrowed to the hook's tool profile, for what is offered and for every call.
    const settings = hookToolSettings({ ...config, account: state.asker.account }, state.asker.hook);
    return {
      env: this.env,
      settings,
      now: this.clock,
      save: (changed: TurnState) => this.store.save(changed, this.clock()),
      notify: (changed: TurnState, text: string) => sayInChat(this.env, config, changed.asker, text, this.consoleLines),
    };
  }

  private turnHost(config: GatewayConfig, state: TurnState, model: ModelSetting): TurnHost {
    const day = () => utcDay(this.clock());
    return {
      ...this.toolHost(config, state),
      model,
      modelFetch: model.provider === "home" ? homeModelFetchFor(this.env, config, state.session) : undefined,
      history: () => this.store.history(),
      typing: (changed) => showTyping(this.env, config, changed.asker),
      budget: {
        left: (changed) => {
          const used = this.store.used(changed.asker.senderKey, day());
          const budget = budgetOf(config, changed.asker.role);
          if (used.steps < budget.steps && used.tokens < budget.tokens) return null;
          // Told once a day; after that, messages to the assistant end quietly (commands still answer).
          if (!this.store.firstTold(changed.asker.senderKey, day())) return "";
          return `📊 You have used today's assistant budget (${used.steps} steps, ${used.tokens} tokens); it renews at 00:00 UTC. Commands still work.`;
        },
        spend: (changed, tokens) => void this.store.spend(changed.asker.senderKey, day(), 1, tokens),
      },
      wakeAt: (at) => this.ctx.storage.setAlarm(at),
    };
  }
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
