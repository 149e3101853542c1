import { EventEmitter } from "node:events";
import WebSocket from "ws";
import { encodeFrame, parseFrame } from "../../shared/tunnel/parse-frame.js";
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, type Call, type TunnelFrame } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { signHelloToken, type RunnerKey } from "../identity/runner-key.js";
import { Backoff } from "./backoff.js";

export type CallHandler = (call: Call) => Promise<ToolOutcome>;
export type TunnelLog = (event: string, fields?: Record<string, unknown>) => void;

export type TunnelClientOptions = {
  /** The gateway's base URL, e.g. `https://gate.example.com` or `http://127.0.0.1:8787`. */
  gatewayUrl: string;
  runner: string;
  key: RunnerKey;
  handleCall: CallHandler;
  log: TunnelLog;
  backoff?: Backoff;
};

export function tunnelUrl(gatewayUrl: string, runner: string): string {
  const url = new URL("/tunnel", gatewayUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("runner", runner);
  return url.toString();
}

/**
 * The runner's end of the tunnel: dials out (the home box opens no port), answers the
 * gateway's challenge with a signed token, runs calls, and reconnects with backoff.
 * Emits `ready` once authenticated and `down` when the socket closes.
 */
export class TunnelClient extends EventEmitter {
  private socket: WebSocket | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;

  constructor(private readonly options: TunnelClientOptions) {
    super();
    this.backoff = options.backoff ?? new Backoff();
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
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
    const socket = new WebSocket(tunnelUrl(gatewayUrl, runner), { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on("message", (data, isBinary) => {
      const text = isBinary ? new Uint8Array(0) : data.toString();
      void this.onFrame(socket, parseFrame(text));
    });
    socket.on("close", (code, reason) => {
      log("tunnel.closed", { code, reason: reason.toString() });
      this.emit("down", code);
      this.scheduleReconnect();
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
        if (!frame.versions.includes(PROTOCOL_VERSION)) {
          this.options.log("tunnel.protocol_mismatch", { offered: frame.versions, ours: PROTOCOL_VERSION });
          socket.close(1008, "no common protocol version");
          return;
        }
        const token = await signHelloToken(this.options.key, this.options.runner, frame.nonce);
        socket.send(encodeFrame({ type: "hello", version: PROTOCOL_VERSION, token }));
        return;
      }
      case "welcome":
        this.backoff.reset();
        this.options.log("tunnel.ready", { runner: frame.runner });
        this.emit("ready");
        return;
      case "call": {
        const outcome = await this.options.handleCall(frame).catch((error: unknown): ToolOutcome => ({
          ok: false,
          error: {
            code: "tool_failed",
            message: `the runner could not run the call: ${error instanceof Error ? error.message : String(error)}`,
          },
        }));
        if (socket.readyState === WebSocket.OPEN) socket.send(encodeFrame({ type: "result", id: frame.id, outcome }));
        return;
      }
      case "error":
        this.options.log("tunnel.refused", { code: frame.error.code, message: frame.error.message });
        return;
      default:
        socket.close(1008, `unexpected ${frame.type} frame from the gateway`);
    }
  }
}
