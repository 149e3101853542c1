import { EventEmitter } from "node:events";
import WebSocket from "ws";
import { encodeFrame, parseFrame } from "../../shared/tunnel/parse-frame.js";
import {
  BATCH_VERSION,
  MAX_FRAME_BYTES,
  PING_TEXT,
  PROTOCOL_VERSIONS,
  type ModelReply,
  type Call,
  type ModelRequest,
  type TunnelFrame,
} from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { signHelloToken, type RunnerKey } from "../identity/runner-key.js";
import type { CallJournal } from "../journal/call-journal.js";
import { Backoff } from "./backoff.js";
import { CallExecutor, type CallRunner, type CallVerifier, type RefusalAudit } from "./call-executor.js";
import { messageText } from "./message-text.js";
import { ResultBatcher } from "./result-batcher.js";

export type TunnelLog = (event: string, fields?: Record<string, unknown>) => void;

/** How often the runner pings; a socket silent for HEARTBEAT_MS × 3 is presumed dead and replaced. */
export const HEARTBEAT_MS = 15_000;

export type TunnelClientOptions = {
  /** The gateway's base URL, e.g. `https://gate.example.com` or `http://127.0.0.1:8787`. */
  gatewayUrl: string;
  runner: string;
  /** Read on every connect, so a rotated key is picked up without a restart. */
  loadKey: () => Promise<RunnerKey>;
  journal: CallJournal;
  verifyCall: CallVerifier;
  runCall: CallRunner;
  log: TunnelLog;
  /** Audits calls refused before they run (capability, replay); calls that run are audited by the tools. */
  auditRefusal?: RefusalAudit;
  backoff?: Backoff;
  heartbeatMs?: number;
  /** Answers a model_request (model-relay.ts); without it every one is answered model_not_configured. */
  relayModel?: (request: ModelRequest) => Promise<ModelReply>;
};

export function tunnelUrl(gatewayUrl: string, runner: string): string {
  const url = new URL("/tunnel", gatewayUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("runner", runner);
  return url.toString();
}

/**
 * The runner's end of the tunnel: dials out (the home box opens no port), answers the
 * gateway's challenge with a signed token, journals and acknowledges calls, runs them at most
 * once, re-sends unacknowledged results after every reconnect, and reconnects with backoff.
 * Emits `ready` once authenticated and `down` when the socket closes.
 */
export class TunnelClient extends EventEmitter {
  private socket: WebSocket | null = null;
  private ready = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  private admission: Promise<void> = Promise.resolve();
  private pendingAck = 0;
  private ackScheduled = false;
  /** The protocol version the welcome confirmed: from v4 on, results go out in batches. */
  private version = 0;
  private readonly results = new ResultBatcher();
  private readonly backoff: Backoff;
  readonly executor: CallExecutor;

  constructor(private readonly options: TunnelClientOptions) {
    super();
    this.backoff = options.backoff ?? new Backoff();
    this.executor = new CallExecutor(
      options.journal,
      options.verifyCall,
      options.runCall,
      (rseq, id, outcome) => this.sendResult(rseq, id, outcome),
      options.log,
      options.auditRefusal,
    );
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.close(1000, "runner stopping");
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000).unref();
    });
  }

  private connect(): void {
    const { gatewayUrl, runner, log } = this.options;
    // No permessage-deflate: frames are small JSON, and in a CPU profile of the runner serving
    // queued calls, compressing and inflating each frame (zlib) was its largest cost.
    const socket = new WebSocket(tunnelUrl(gatewayUrl, runner), {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
      perMessageDeflate: false,
    });
    this.socket = socket;
    this.ready = false;
    socket.on("message", (data, isBinary) => {
      this.lastHeard = Date.now();
      const text = isBinary ? new Uint8Array(0) : messageText(data);
      void this.onFrame(socket, parseFrame(text)).catch((error: unknown) => {
        log("tunnel.frame_failed", { message: error instanceof Error ? error.message : String(error) });
        socket.close(1011, "runner error");
      });
    });
    socket.on("close", (code, reason) => {
      if (this.socket === socket) {
        this.ready = false;
        this.stopHeartbeat();
      }
      log("tunnel.closed", { code, reason: reason.toString() });
      this.emit("down", code);
      if (this.socket === socket) this.scheduleReconnect();
    });
    socket.on("error", (error) => log("tunnel.error", { message: error.message }));
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.options.log("tunnel.reconnect_scheduled", { delayMs: delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private async onFrame(socket: WebSocket, parsed: ReturnType<typeof parseFrame>): Promise<void> {
    if (!parsed.ok) {
      this.options.log("tunnel.bad_frame", { message: parsed.error.message });
      socket.close(1008, parsed.error.message.slice(0, 120));
      return;
    }
    const frame: TunnelFrame = parsed.frame;
    switch (frame.type) {
      case "challenge": {
        // The newest version both sides speak: an older gateway is still served, without the model relay.
        const version = Math.max(...PROTOCOL_VERSIONS.filter((v) => frame.versions.includes(v)));
        if (!Number.isFinite(version)) {
          this.options.log("tunnel.protocol_mismatch", { offered: frame.versions, ours: PROTOCOL_VERSIONS });
          socket.close(1008, "no common protocol version");
          return;
        }
        const key = await this.options.loadKey();
        const token = await signHelloToken(key, this.options.runner, frame.nonce);
        socket.send(encodeFrame({ type: "hello", version, token }));
        return;
      }
      case "welcome":
        this.ready = true;
        this.version = frame.version;
        this.backoff.reset();
        this.startHeartbeat(socket);
        this.options.log("tunnel.ready", { runner: frame.runner, resume: frame.resume });
        // Results the gateway may not have stored go out again, oldest first.
        for (const result of this.options.journal.unacked()) this.sendResult(result.rseq, result.id, result.outcome);
        this.emit("ready");
        return;
      case "call":
        return this.receiveCall(socket, frame);
      case "calls":
        // A batch is its calls in order: each is admitted, journaled and acknowledged as if alone.
        await Promise.all(frame.calls.map((call) => this.receiveCall(socket, call)));
        return;
      case "cancel":
        this.executor.cancel(frame.id);
        return;
      case "model_request":
        return this.relayModel(socket, frame);
      case "ack":
        this.options.journal.ack(frame.seq);
        return;
      case "pong":
        return;
      case "error":
        this.options.log("tunnel.refused", { code: frame.error.code, message: frame.error.message });
        return;
      default:
        socket.close(1008, `unexpected ${frame.type} frame from the gateway`);
    }
  }

  private receiveCall(socket: WebSocket, frame: Call): Promise<void> {
    // Capability checks start at once and overlap; admission (journal) keeps arrival order
    // without waiting for the previous call's disk write; the ack follows the call's own.
    const seq = frame.seq;
    const check = this.options.verifyCall(frame);
    check.catch(() => undefined); // awaited by admission below; not an unhandled rejection meanwhile
    const admitted = this.admission.then(() => this.executor.admit(frame, check));
    this.admission = admitted.then(
      () => undefined,
      () => undefined,
    );
    return admitted.then(({ durable }) => durable).then(() => this.scheduleAck(socket, seq));
  }

  /** Not journaled: a model request changes nothing here, and the gateway's timeout covers a lost answer. */
  private async relayModel(socket: WebSocket, request: ModelRequest): Promise<void> {
    const reply: ModelReply = this.options.relayModel
      ? await this.options.relayModel(request)
      : { ok: false, error: { code: "model_not_configured", message: "this runner does not relay model requests" } };
    if (socket.readyState === WebSocket.OPEN) socket.send(encodeFrame({ type: "model_response", id: request.id, reply }));
  }

  /** Acks are coalesced: one frame acknowledges every call journaled so far. */
  private scheduleAck(socket: WebSocket, seq: number): void {
    this.pendingAck = Math.max(this.pendingAck, seq);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      if (socket.readyState === WebSocket.OPEN) socket.send(encodeFrame({ type: "ack", seq: this.pendingAck }));
    });
  }

  /**
   * Results are sent once journaled; those that become durable together (one fsync) leave in
   * one frame: a v4 `results` batch, or one `result` frame each for an older gateway.
   */
  private sendResult(rseq: number, id: string, outcome: ToolOutcome): void {
    // Not connected: the result is in the journal and goes out after the next welcome.
    if (!this.ready) return;
    this.results.add({ type: "result", seq: rseq, id, outcome }, () => this.flushResults());
  }

  private flushResults(): void {
    const socket = this.socket;
    const frames = this.results.take(this.version >= BATCH_VERSION);
    if (!this.ready || !socket || socket.readyState !== WebSocket.OPEN) return;
    for (const frame of frames) socket.send(frame);
  }

  /** Heartbeats the gateway answers without waking its Durable Object; silence means a dead path. */
  private startHeartbeat(socket: WebSocket): void {
    this.stopHeartbeat();
    const every = this.options.heartbeatMs ?? HEARTBEAT_MS;
    this.lastHeard = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > every * 3) {
        this.options.log("tunnel.heartbeat_lost", { silentMs: Date.now() - this.lastHeard });
        socket.terminate();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(PING_TEXT);
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
