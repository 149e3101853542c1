import { DurableObject } from "cloudflare:workers";
import { encodeFrame, parseFrame } from "../../shared/tunnel/parse-frame.js";
import { CloseCode, PING_TEXT, PONG_TEXT, PROTOCOL_VERSION, PROTOCOL_VERSIONS, type TunnelFrame } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { capabilitySigner, type GatewayPublicKey } from "./capability-signer.js";
import { registerKey, revokeKey, rotateKey, signerOrError, type KeyHost } from "./hub-keys.js";
import {
  base64url,
  closeSocket,
  failure,
  refuse,
  type CallView,
  type HubAnswer,
  type RunnerStatus,
  type SocketState,
  type SubmitInput,
  type SubmitResult,
} from "./hub-types.js";
import { FloodGuard } from "./flood-guard.js";
import { HubSettingsPatch, migrateHubSettings, readSettings, writeSetting, type HubSettings } from "./hub-settings.js";
import { deliverLate } from "./late-delivery.js";
import * as outbox from "./outbox.js";
import type { OutboxCall } from "./outbox.js";
import { consumeNonce, issueNonce, migrateReplayGuard, pruneReplayGuard, rememberJti } from "./replay-guard.js";
import { migrateDirectory, recordKey, runnerNames, runnerOfKey } from "./runner-directory.js";
import { verifyRunnerToken } from "./runner-auth.js";
import type { RunnerPublicKey } from "./runner-keys.js";
import { countAllKeys, findRunnerKey, liveKeys, migrateRunnerKeys } from "./runner-keys.js";
import { audit, migrateTunnelAudit, recentAudit } from "./tunnel-audit.js";

export type { CallView, HubAnswer, RunnerStatus, SubmitInput, SubmitResult } from "./hub-types.js";

/** Header the Worker uses to tell the hub which runner name the socket claims. */
export const RUNNER_NAME_HEADER = "x-drawbridge-runner";
/** An unauthenticated socket is closed after this long. */
const AUTH_DEADLINE_MS = 10_000;
/** Slack on top of the tool's own timeout before the gateway gives up on a sent call. */
const CALL_GRACE_MS = 5_000;
/** A nonce is good for one hello within this long. */
const NONCE_TTL_MS = AUTH_DEADLINE_MS + 5_000;

/**
 * One per runner name. Owns the runner's keys, its hibernating WebSocket, and its durable
 * outbox: every call is written to SQLite before it is sent, waits there while the runner is
 * offline, is re-sent after a reconnect until the runner acknowledges it, and finishes exactly
 * once (result, expiry, timeout, cancel or revocation) with its sender told.
 */
export class RunnerHub extends DurableObject<Env> {
  private readonly waiters = new Map<string, (outcome: ToolOutcome) => void>();
  private readonly flood = new FloodGuard();
  private sendChain: Promise<void> = Promise.resolve();
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateRunnerKeys(this.sql);
    migrateReplayGuard(this.sql);
    migrateTunnelAudit(this.sql);
    migrateHubSettings(this.sql);
    outbox.migrateOutbox(this.sql);
    migrateDirectory(this.sql);
    // Heartbeats are answered by the runtime itself: a pinging runner never wakes this object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
  }

  // ── keys (worker/tunnel/hub-keys.ts) ──────────────────────────────────────────────────────

  /** Registers a key (owner, through the admin API). At most two live keys; revoked keys never return. */
  registerKey(runner: string, key: RunnerPublicKey): Promise<HubAnswer<{ kid: string; gatewayKey: GatewayPublicKey }>> {
    return registerKey(this.keyHost(), runner, key);
  }

  /** Rotation: a token signed by a live key introduces the next key; every other key is retired. */
  rotateKey(runner: string, token: string): Promise<HubAnswer<{ kid: string; retired: string[]; gatewayKey: GatewayPublicKey }>> {
    return rotateKey(this.keyHost(), runner, token);
  }

  /** Revokes a key: its sockets close at once; with no live key left, every waiting call is stopped and its sender told. */
  revokeKey(kid: string): { revoked: boolean; closed: number; cancelled: number } {
    return revokeKey(this.keyHost(), kid);
  }

  private keyHost(): KeyHost {
    return { sql: this.sql, env: this.env, sockets: () => this.ctx.getWebSockets(), complete: (call) => this.complete(call) };
  }

  // ── directory (only on the DIRECTORY_OBJECT_NAME instance) ───────────────────────────────

  directoryRecord(runner: string, kid: string): void {
    recordKey(this.sql, runner, kid);
  }

  directoryLookup(kid: string): string | null {
    return runnerOfKey(this.sql, kid);
  }

  directoryList(): string[] {
    return runnerNames(this.sql);
  }

  // ── status and settings ───────────────────────────────────────────────────────────────────

  status(runner: string): RunnerStatus {
    const ready = this.readySocket();
    const state = ready ? (ready.deserializeAttachment() as SocketState) : null;
    const counts = outbox.countPending(this.sql);
    const { queueTtlSeconds, queueLimit } = readSettings(this.sql);
    return {
      runner,
      registered: countAllKeys(this.sql) > 0,
      connected: ready !== null,
      since: state?.phase === "ready" ? state.since : null,
      lastSeen: this.lastSeen(ready),
      keys: liveKeys(this.sql),
      queueDepth: counts.queued,
      inFlight: counts.inFlight,
      settings: { queueTtlSeconds, queueLimit },
      recentAudit: recentAudit(this.sql, 20),
    };
  }

  updateSettings(patch: HubSettingsPatch): HubSettings {
    const valid = HubSettingsPatch.parse(patch);
    if (valid.queueTtlSeconds !== undefined) writeSetting(this.sql, "queueTtlSeconds", valid.queueTtlSeconds);
    if (valid.queueLimit !== undefined) writeSetting(this.sql, "queueLimit", valid.queueLimit);
    const { queueTtlSeconds, queueLimit } = readSettings(this.sql);
    return { queueTtlSeconds, queueLimit };
  }

  private lastSeen(ready: WebSocket | null): number | null {
    const stored = outbox.counter(this.sql, "last_seen") || null;
    if (!ready) return stored;
    const pinged = this.ctx.getWebSocketAutoResponseTimestamp(ready)?.getTime() ?? 0;
    return Math.max(pinged, stored ?? 0) || null;
  }

  private touch(): void {
    outbox.setCounter(this.sql, "last_seen", Date.now());
  }

  // ── calls ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Writes the call to the outbox, sends it if the runner is connected, and waits up to
   * `waitMs` for the result. Never hangs: an unknown runner, a full queue or a missing signing
   * key answers at once; an offline runner answers "queued"; a slow call answers "running".
   */
  async submit(input: SubmitInput): Promise<SubmitResult> {
    const existing = outbox.findCall(this.sql, input.callId);
    if (existing) return this.resubmitted(existing, input.waitMs);
    if (!input.callId.startsWith(`${input.runner}_`)) {
      return { status: "done", callId: null, outcome: failure("bad_request", "the call id does not name this runner") };
    }
    if (countAllKeys(this.sql) === 0) {
      return {
        status: "done",
        callId: null,
        outcome: failure(
          "runner_unknown",
          `The home runner is offline: no runner named "${input.runner}" is registered, so nothing ran. Register one with \`drawbridge runner register\`.`,
        ),
      };
    }
    if (liveKeys(this.sql).length === 0) {
      return { status: "done", callId: null, outcome: failure("runner_revoked", `Runner "${input.runner}" has no live key (revoked).`) };
    }
    const signer = await signerOrError(this.env);
    if (!signer.ok) return { status: "done", callId: null, outcome: failure(signer.code, signer.message) };
    const settings = readSettings(this.sql);
    const counts = outbox.countPending(this.sql);
    if (counts.queued + counts.inFlight >= settings.queueLimit) {
      return {
        status: "done",
        callId: null,
        outcome: failure(
          "queue_full",
          `The queue for runner "${input.runner}" is full (${settings.queueLimit} calls); nothing was queued.`,
        ),
      };
    }
    const now = Date.now();
    const call = outbox.enqueue(
      this.sql,
      {
        id: input.callId,
        session: input.session,
        request: input.request,
        timeoutMs: input.timeoutMs,
        replyTo: input.replyTo,
        label: input.label.slice(0, 200),
        expiresAt: now + settings.queueTtlSeconds * 1000,
      },
      now,
    );
    const socket = this.readySocket();
    if (!socket) {
      await this.armAlarm(call.expiresAt);
      return { status: "queued", callId: call.id, expiresAt: call.expiresAt };
    }
    const result = this.waitFor(call.id, input.waitMs);
    void this.send(socket, [call]);
    return result;
  }

  /** A submit retried after a transient error: the call is already in the outbox, so it is not added twice. */
  private async resubmitted(call: OutboxCall, waitMs: number): Promise<SubmitResult> {
    if (call.state === "done" && call.outcome) return { status: "done", callId: call.id, outcome: call.outcome };
    if (!this.readySocket()) return { status: "queued", callId: call.id, expiresAt: call.expiresAt };
    return this.waitFor(call.id, waitMs);
  }

  /** Waits for a call's outcome; after `waitMs` the caller is released and the result is delivered late. */
  private waitFor(id: string, waitMs: number): Promise<SubmitResult> {
    return new Promise<SubmitResult>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve({ status: "running", callId: id });
      }, waitMs);
      this.waiters.set(id, (outcome) => {
        clearTimeout(timer);
        resolve({ status: "done", callId: id, outcome });
      });
    });
  }

  getCall(id: string): CallView | null {
    const call = outbox.findCall(this.sql, id);
    if (!call) return null;
    if (call.state === "done" && call.deliveredAt === null) outbox.markDelivered(this.sql, id);
    return {
      id: call.id,
      runner: readSettings(this.sql).runner ?? "",
      state: call.state,
      queued: call.state === "pending" && !call.acked,
      createdAt: call.createdAt,
      expiresAt: call.expiresAt,
      finishedAt: call.finishedAt,
      outcome: call.outcome,
    };
  }

  /** Cancels a pending call: it will not start (if the runner has not started it) and its sender is told. */
  cancelCall(id: string): CallView | null {
    const done = outbox.finish(this.sql, id, failure("call_cancelled", "The call was cancelled before it finished."));
    if (done) {
      this.readySocket()?.send(encodeFrame({ type: "cancel", id }));
      this.complete(done);
    }
    return this.getCall(id);
  }

  /** Signs and sends calls in order, through one chain so a drain and new calls never interleave. */
  private send(socket: WebSocket, calls: OutboxCall[]): Promise<void> {
    this.sendChain = this.sendChain.then(async () => {
      const signer = await capabilitySigner(this.env);
      let latestDeadline = 0;
      for (const call of calls) {
        const current = outbox.findCall(this.sql, call.id);
        if (!current || current.state !== "pending" || current.acked) continue;
        const state = socket.deserializeAttachment() as SocketState | null;
        if (state?.phase !== "ready") return;
        const capability = await signer.sign(state.runner, call.id, call);
        const now = Date.now();
        const deadline = now + call.timeoutMs + CALL_GRACE_MS;
        outbox.markSent(this.sql, call.seq, now, deadline);
        latestDeadline = Math.max(latestDeadline, deadline);
        try {
          this.flood.credit(socket);
          socket.send(
            encodeFrame({
              type: "call",
              seq: call.seq,
              id: call.id,
              session: call.session,
              request: call.request,
              timeoutMs: call.timeoutMs,
              capability,
            }),
          );
        } catch {
          return; // the socket went away; the calls stay unacknowledged and go out on the next connection
        }
      }
      if (latestDeadline) await this.armAlarm(latestDeadline);
    });
    this.sendChain = this.sendChain.catch((error: unknown) =>
      console.error(JSON.stringify({ event: "tunnel.send_failed", error: String(error) })),
    );
    return this.sendChain;
  }

  /** Hands a finished call's outcome to whoever waits for it: the caller if still there, else late delivery. */
  private complete(call: OutboxCall): void {
    const outcome = call.outcome;
    if (!outcome) return;
    const waiter = this.waiters.get(call.id);
    if (waiter) {
      this.waiters.delete(call.id);
      outbox.markDelivered(this.sql, call.id);
      waiter(outcome);
      return;
    }
    const delivery = deliverLate(this.env, call.replyTo, call.label, outcome).then((ok) => {
      if (ok && call.replyTo?.channel !== "console") outbox.markDelivered(this.sql, call.id);
    });
    this.ctx.waitUntil(delivery);
  }

  // ── the socket ────────────────────────────────────────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    const runner = request.headers.get(RUNNER_NAME_HEADER);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !runner) {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const now = Date.now();
    issueNonce(this.sql, nonce, now + NONCE_TTL_MS);
    server.serializeAttachment({ phase: "challenged", runner, nonce, openedAt: now } satisfies SocketState);
    server.send(encodeFrame({ type: "challenge", versions: [...PROTOCOL_VERSIONS], nonce }));
    await this.armAlarm(now + AUTH_DEADLINE_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const state = socket.deserializeAttachment() as SocketState;
    if (state.phase === "closing") return;
    if (!this.flood.allow(socket)) {
      audit(this.sql, state.runner, "tunnel.flood", "frame rate above the limit; socket closed");
      closeSocket(socket, { code: "frame_invalid", message: "too many frames; slow down" }, CloseCode.policy);
      return;
    }
    const parsed = parseFrame(message);
    if (!parsed.ok) {
      audit(this.sql, state.runner, "tunnel.bad_frame", parsed.error.message);
      closeSocket(socket, parsed.error, parsed.error.code === "payload_too_large" ? CloseCode.tooLarge : CloseCode.policy);
      return;
    }
    if (state.phase === "challenged") return this.authenticate(socket, state, parsed.frame);
    const frame = parsed.frame;
    switch (frame.type) {
      case "ack":
        outbox.markAcked(this.sql, frame.seq);
        return;
      case "result": {
        const done = outbox.finish(this.sql, frame.id, frame.outcome);
        if (done) {
          if (!frame.outcome.ok && frame.outcome.error.code === "capability_refused") {
            audit(this.sql, state.runner, "tunnel.capability_refused", `${frame.id}: ${frame.outcome.error.message}`);
          }
          this.complete(done);
        }
        // Stored (or already finished): either way the runner may forget it.
        outbox.setCounter(this.sql, "result_ack", Math.max(frame.seq, outbox.counter(this.sql, "result_ack")));
        socket.send(encodeFrame({ type: "ack", seq: frame.seq }));
        return;
      }
      case "ping":
        socket.send(PONG_TEXT);
        return;
      default:
        closeSocket(socket, { code: "frame_invalid", message: `a runner may not send "${frame.type}" frames` }, CloseCode.policy);
    }
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.closed(socket);
    try {
      socket.close(code === 1005 || code === 1006 ? CloseCode.normal : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.closed(socket);
  }

  private closed(socket: WebSocket): void {
    const state = socket.deserializeAttachment() as SocketState | null;
    if (state?.phase === "ready") this.touch();
  }

  /** Deadlines: unauthenticated sockets, queue TTLs, calls the runner did not answer; then housekeeping. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const socket of this.ctx.getWebSockets()) {
      const state = socket.deserializeAttachment() as SocketState;
      if (state.phase === "challenged" && now - state.openedAt >= AUTH_DEADLINE_MS) {
        audit(this.sql, state.runner, "tunnel.auth_timeout", "no hello within the deadline");
        refuse(socket, { code: "unauthorized", message: "no hello within the deadline" }, CloseCode.authTimeout);
      }
    }
    for (const call of outbox.expiredCalls(this.sql, now)) {
      const minutes = Math.max(1, Math.round((call.expiresAt - call.createdAt) / 60_000));
      const done = outbox.finish(
        this.sql,
        call.id,
        failure("call_expired", `Expired: the home runner stayed offline for ${minutes} min, so this call never ran.`),
      );
      if (done) this.complete(done);
    }
    const ready = this.readySocket();
    for (const call of outbox.overdueCalls(this.sql, now)) {
      const done = outbox.finish(
        this.sql,
        call.id,
        failure(
          "runner_timeout",
          `The home runner did not answer within ${Math.round((call.timeoutMs + CALL_GRACE_MS) / 1000)}s; the call was cancelled.`,
        ),
      );
      if (done) {
        ready?.send(encodeFrame({ type: "cancel", id: call.id }));
        this.complete(done);
      }
    }
    pruneReplayGuard(this.sql, now);
    outbox.pruneDone(this.sql, now);
    await this.armAlarm();
  }

  /** Sets the alarm to the earliest thing that needs attention (or `at`, if earlier). */
  private async armAlarm(at?: number): Promise<void> {
    const candidates = [at, outbox.nextDue(this.sql) ?? undefined];
    for (const socket of this.ctx.getWebSockets()) {
      const state = socket.deserializeAttachment() as SocketState;
      if (state.phase === "challenged") candidates.push(state.openedAt + AUTH_DEADLINE_MS);
    }
    const due = Math.min(...candidates.filter((t): t is number => typeof t === "number"));
    if (!Number.isFinite(due)) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || due < current || current < Date.now() - 1000) await this.ctx.storage.setAlarm(due);
  }

  private async authenticate(socket: WebSocket, state: Extract<SocketState, { phase: "challenged" }>, frame: TunnelFrame): Promise<void> {
    if (frame.type !== "hello") {
      audit(this.sql, state.runner, "tunnel.auth_failed", `"${frame.type}" frame before hello`);
      refuse(socket, { code: "unauthorized", message: "authenticate first: answer the challenge with a hello" }, CloseCode.unauthorized);
      return;
    }
    if (!(PROTOCOL_VERSIONS as readonly number[]).includes(frame.version)) {
      audit(this.sql, state.runner, "tunnel.protocol_refused", `version ${frame.version}`);
      refuse(
        socket,
        {
          code: "protocol_version",
          message: `protocol ${frame.version} is not supported; this gateway speaks ${PROTOCOL_VERSIONS.join(", ")}. Update the runner.`,
        },
        CloseCode.protocolVersion,
      );
      return;
    }
    const auth = await verifyRunnerToken(frame.token, state, (kid) => findRunnerKey(this.sql, kid));
    let reason = auth.ok ? null : auth.reason;
    // Single use, remembered in SQLite: a replay is refused even after a restart.
    if (auth.ok && !consumeNonce(this.sql, state.nonce)) reason = "nonce already used or expired";
    if (auth.ok && !reason && !rememberJti(this.sql, auth.jti, auth.exp * 1000 + 10_000)) reason = "jti replayed";
    if (!auth.ok || reason) {
      audit(this.sql, state.runner, "tunnel.auth_failed", reason ?? "refused");
      refuse(socket, { code: "unauthorized", message: "runner authentication failed" }, CloseCode.unauthorized);
      return;
    }
    // One live socket per runner: a new authenticated connection replaces the old one.
    for (const other of this.ctx.getWebSockets()) {
      if (other !== socket && (other.deserializeAttachment() as SocketState).phase === "ready") {
        closeSocket(other, { code: "unauthorized", message: "replaced by a newer connection" }, CloseCode.replaced);
      }
    }
    socket.serializeAttachment({ phase: "ready", runner: state.runner, kid: auth.kid, since: Date.now() } satisfies SocketState);
    this.touch();
    socket.send(
      encodeFrame({
        type: "welcome",
        version: PROTOCOL_VERSION,
        runner: state.runner,
        resume: { callSeq: outbox.counter(this.sql, "call_ack"), resultSeq: outbox.counter(this.sql, "result_ack") },
      }),
    );
    // Resume: everything the runner has not acknowledged goes out again, oldest first.
    await this.send(socket, outbox.unacknowledged(this.sql));
  }

  private readySocket(): WebSocket | null {
    for (const socket of this.ctx.getWebSockets()) {
      if ((socket.deserializeAttachment() as SocketState).phase === "ready") return socket;
    }
    return null;
  }
}
