import { DurableObject } from "cloudflare:workers";
import { CloseCode, PING_TEXT, PONG_TEXT } from "../../shared/tunnel/protocol.js";
import { CallDelivery } from "./call-delivery.js";
import type { GatewayPublicKey } from "./capability-signer.js";
import { FloodGuard } from "./flood-guard.js";
import * as calls from "./hub-calls.js";
import { armAlarm, enforceDeadlines } from "./hub-deadlines.js";
import { ModelRelay, type ModelRelayAnswer, type ModelRelayInput } from "./hub-model-relay.js";
import { registerKey, revokeKey, rotateKey, type KeyHost } from "./hub-keys.js";
import { migrateOnStart } from "../storage/migrations.js";
import { RUNNER_HUB_SCHEMA } from "./hub-schema.js";
import type { HubSettings, HubSettingsPatch } from "./hub-settings.js";
import { runnerStatus, updateSettings } from "./hub-status.js";
import {
  readySocket,
  type CallView,
  type HubAnswer,
  type HubHost,
  type RunnerStatus,
  type SubmitInput,
  type SubmitResult,
} from "./hub-types.js";
import { recordKey, runnerNames, runnerOfKey } from "./runner-directory.js";
import { receiveFrame, socketClosed } from "./runner-frames.js";
import type { RunnerPublicKey } from "./runner-keys.js";
import type { EdgeSettings } from "../config.js";
import { rememberAlertSettings } from "./runner-alerts.js";
import { challenge } from "./tunnel-handshake.js";
import { socketState } from "./socket-state.js";
import { SocketClock } from "./socket-clock.js";
import { adoptCalls, type AdoptAnswer, type AdoptInput } from "./call-adopt.js";
import { failOver } from "./failover.js";
import { pruneMoved } from "./failover-store.js";
import { cancelFollowingMoves, viewFollowingMoves } from "./moved-calls.js";

export type { CallView, HubAnswer, RunnerStatus, SubmitInput, SubmitResult } from "./hub-types.js";
export type { ModelRelayAnswer, ModelRelayInput } from "./hub-model-relay.js";
export { RUNNER_NAME_HEADER } from "./tunnel-handshake.js";

/**
 * One per runner name. Owns the runner's keys, its hibernating WebSocket, and its durable
 * outbox: every call is written to SQLite before it is sent, waits there while the runner is
 * offline, is re-sent after a reconnect until the runner acknowledges it, and finishes exactly
 * once (result, expiry, timeout, cancel or revocation) with its sender told. This class is the
 * RPC and socket surface; each concern lives in its own module.
 */
export class RunnerHub extends DurableObject<Env> {
  private readonly host: HubHost;
  /** Business time (owner alerts); tests move it forward instead of waiting. Alarms use the real clock. */
  clock: () => number = () => Date.now();
  /** The clock socket deadlines (authentication, close grace) run on; tests stop it, move it and run the alarm. */
  readonly socketClock: SocketClock;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    migrateOnStart(ctx, RUNNER_HUB_SCHEMA);
    // Heartbeats are answered by the runtime itself: a pinging runner never wakes this object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    const flood = new FloodGuard();
    this.socketClock = new SocketClock(sql);
    this.host = {
      ctx,
      env,
      sql,
      flood,
      delivery: new CallDelivery(ctx, env, sql, flood),
      models: new ModelRelay(flood),
      now: () => this.clock(),
      socketNow: () => this.socketClock.now(),
    };
  }

  // ── keys (hub-keys.ts) ────────────────────────────────────────────────────────────────────

  /** Registers a key (owner, through the admin API). At most two live keys; revoked keys never return. */
  registerKey(runner: string, key: RunnerPublicKey): Promise<HubAnswer<{ kid: string; gatewayKey: GatewayPublicKey }>> {
    return registerKey(this.keyHost(), runner, key);
  }

  /** Rotation: a token signed by a live key introduces the next key; every other key is retired. */
  async rotateKey(runner: string, token: string): Promise<HubAnswer<{ kid: string; retired: string[]; gatewayKey: GatewayPublicKey }>> {
    const answer = await rotateKey(this.keyHost(), runner, token);
    await armAlarm(this.ctx, this.host.sql, undefined, this.socketClock.now()); // the retired keys' sockets are closing
    return answer;
  }

  /** Revokes a key: its sockets close at once; with no live key left, every waiting call is stopped and its sender told. */
  async revokeKey(kid: string): Promise<{ revoked: boolean; closed: number; cancelled: number }> {
    const result = revokeKey(this.keyHost(), kid);
    if (result.closed > 0) await armAlarm(this.ctx, this.host.sql, undefined, this.socketClock.now()); // their close grace
    return result;
  }

  private keyHost(): KeyHost {
    const { sql, env, ctx, delivery } = this.host;
    return { sql, env, ctx, sockets: () => ctx.getWebSockets(), complete: (call) => delivery.complete(call) };
  }

  // ── directory (only on the DIRECTORY_OBJECT_NAME instance) ───────────────────────────────

  directoryRecord(runner: string, kid: string): void {
    recordKey(this.host.sql, runner, kid);
  }

  directoryLookup(kid: string): string | null {
    return runnerOfKey(this.host.sql, kid);
  }

  directoryList(): string[] {
    return runnerNames(this.host.sql);
  }

  // ── status and settings (hub-status.ts) ──────────────────────────────────────────────────

  status(runner: string): RunnerStatus {
    return runnerStatus(this.host, runner);
  }

  updateSettings(patch: HubSettingsPatch): HubSettings {
    return updateSettings(this.host.sql, patch);
  }

  /** The gateway config the Worker just parsed: an alarm has no request, and owner alerts (runner-alerts.ts) need the owner. */
  rememberSettings(settings: EdgeSettings): void {
    rememberAlertSettings(this.host.sql, settings);
  }

  // ── calls (hub-calls.ts, call-delivery.ts) ───────────────────────────────────────────────

  /** Writes the call to the outbox, sends it if the runner is connected, and waits up to `waitMs` for the result. */
  submit(input: SubmitInput): Promise<SubmitResult> {
    return calls.submit(this.host, input);
  }

  /** A call's view; one that failed over is answered by the hub that holds it now (moved-calls.ts). */
  getCall(id: string): Promise<CallView | null> {
    return viewFollowingMoves(this.host, id);
  }

  /** Cancels a pending call: it will not start (if the runner has not started it) and its sender is told. */
  cancelCall(id: string): Promise<CallView | null> {
    return cancelFollowingMoves(this.host, id);
  }

  /** Takes over never-sent calls failing over from another runner's hub (call-adopt.ts); a call id it holds is never added twice. */
  adoptCalls(input: AdoptInput): Promise<AdoptAnswer> {
    return adoptCalls(this.host, input);
  }

  // ── the model at home (hub-model-relay.ts) ───────────────────────────────────────────────

  /** Relays one request to the model server on the runner's loopback; an offline runner is answered at once, never queued. */
  relayModel(input: ModelRelayInput): Promise<ModelRelayAnswer> {
    return this.host.models.relay(readySocket(this.ctx), input);
  }

  // ── the socket (tunnel-handshake.ts, runner-frames.ts) and deadlines (hub-deadlines.ts) ──

  override async fetch(request: Request): Promise<Response> {
    return challenge(this.host, request);
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const before = socketState(socket)?.phase;
    await receiveFrame(this.host, socket, message);
    // A frame that got its socket refused starts that socket's close grace: the alarm ends it.
    if (before !== "closing" && before !== "closed" && socketState(socket)?.phase === "closing")
      await armAlarm(this.ctx, this.host.sql, undefined, this.socketClock.now());
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    await socketClosed(this.host, socket);
    this.host.models.socketGone(socket);
    try {
      socket.close(code === 1005 || code === 1006 ? CloseCode.normal : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await socketClosed(this.host, socket);
    this.host.models.socketGone(socket);
  }

  override async alarm(): Promise<void> {
    await enforceDeadlines(this.host);
    // Failover (failover.ts): calls due to move to the next runner, and moves not yet confirmed.
    const { dueAt } = await failOver(this.host);
    pruneMoved(this.host.sql, this.host.now());
    if (dueAt !== null) await armAlarm(this.ctx, this.host.sql, dueAt, this.socketClock.now());
  }
}
