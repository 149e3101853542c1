import { DurableObject } from "cloudflare:workers";
import { encodeFrame, parseFrame } from "../../shared/tunnel/parse-frame.js";
import { CloseCode, PROTOCOL_VERSION, PROTOCOL_VERSIONS, type TunnelFrame } from "../../shared/tunnel/protocol.js";
import type { SessionKey, ToolOutcome, ToolRequest } from "../../shared/tools/tool-call.js";
import type { WireError } from "../../shared/wire-error.js";
import { verifyRunnerToken } from "./runner-auth.js";
import { addRunnerKey, countRunnerKeys, findRunnerKey, migrateRunnerKeys, type RunnerPublicKey } from "./runner-keys.js";

/** Header the Worker uses to tell the hub which runner name the socket claims. */
export const RUNNER_NAME_HEADER = "x-drawbridge-runner";
/** An unauthenticated socket is closed after this long. */
const AUTH_DEADLINE_MS = 10_000;
/** Slack on top of the tool's own timeout before the gateway gives up waiting. */
const CALL_GRACE_MS = 5_000;

type SocketState =
  { phase: "challenged"; runner: string; nonce: string; openedAt: number } | { phase: "ready"; runner: string; kid: string; since: number };

type PendingCall = { resolve: (outcome: ToolOutcome) => void; timer: ReturnType<typeof setTimeout>; socket: WebSocket };

export type RunnerStatus = { connected: boolean; since: number | null; keys: number; inFlight: number };

const offline: WireError = {
  code: "runner_offline",
  message: "The home runner is offline, so nothing ran. Start it on the home box (`npm start`) and try again.",
};

/**
 * One per runner name. Holds the runner's WebSocket (hibernation API), authenticates it
 * with a challenge, and relays tool calls to it.
 */
export class RunnerHub extends DurableObject<Env> {
  private readonly pending = new Map<string, PendingCall>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateRunnerKeys(ctx.storage.sql);
  }

  async registerKey(key: RunnerPublicKey): Promise<{ kid: string }> {
    return { kid: await addRunnerKey(this.ctx.storage.sql, key) };
  }

  status(): RunnerStatus {
    const ready = this.readySocket();
    const state = ready ? (ready.deserializeAttachment() as SocketState) : null;
    return {
      connected: ready !== null,
      since: state?.phase === "ready" ? state.since : null,
      keys: countRunnerKeys(this.ctx.storage.sql),
      inFlight: this.pending.size,
    };
  }

  /** Sends one call to the connected runner and waits for its result; never hangs past the timeout. */
  async call(session: SessionKey, request: ToolRequest, timeoutMs: number): Promise<ToolOutcome> {
    const socket = this.readySocket();
    if (!socket) return { ok: false, error: offline };
    const id = crypto.randomUUID();
    return new Promise<ToolOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: {
            code: "runner_timeout",
            message: `The home runner did not answer within ${Math.round((timeoutMs + CALL_GRACE_MS) / 1000)}s.`,
          },
        });
      }, timeoutMs + CALL_GRACE_MS);
      this.pending.set(id, { resolve, timer, socket });
      socket.send(encodeFrame({ type: "call", id, session, request, timeoutMs }));
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const runner = request.headers.get(RUNNER_NAME_HEADER);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !runner) {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const state: SocketState = { phase: "challenged", runner, nonce, openedAt: Date.now() };
    server.serializeAttachment(state);
    server.send(encodeFrame({ type: "challenge", versions: [...PROTOCOL_VERSIONS], nonce }));
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null) await this.ctx.storage.setAlarm(Date.now() + AUTH_DEADLINE_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const parsed = parseFrame(message);
    if (!parsed.ok) {
      refuse(socket, parsed.error, parsed.error.code === "payload_too_large" ? CloseCode.tooLarge : CloseCode.policy);
      return;
    }
    const state = socket.deserializeAttachment() as SocketState;
    if (state.phase === "challenged") return this.authenticate(socket, state, parsed.frame);
    if (parsed.frame.type === "result") {
      const call = this.pending.get(parsed.frame.id);
      if (!call) return; // late result after a timeout: the sender was already told
      this.pending.delete(parsed.frame.id);
      clearTimeout(call.timer);
      call.resolve(parsed.frame.outcome);
      return;
    }
    refuse(socket, { code: "frame_invalid", message: `a runner may not send "${parsed.frame.type}" frames` }, CloseCode.policy);
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.failCallsOn(socket);
    try {
      socket.close(code === 1005 ? CloseCode.normal : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.failCallsOn(socket);
  }

  /** Closes sockets that never authenticated; re-arms while any are still waiting. */
  override async alarm(): Promise<void> {
    let waiting = false;
    for (const socket of this.ctx.getWebSockets()) {
      const state = socket.deserializeAttachment() as SocketState;
      if (state.phase !== "challenged") continue;
      if (Date.now() - state.openedAt >= AUTH_DEADLINE_MS) {
        refuse(socket, { code: "unauthorized", message: "no hello within the deadline" }, CloseCode.authTimeout);
      } else waiting = true;
    }
    if (waiting) await this.ctx.storage.setAlarm(Date.now() + AUTH_DEADLINE_MS);
  }

  private async authenticate(socket: WebSocket, state: Extract<SocketState, { phase: "challenged" }>, frame: TunnelFrame): Promise<void> {
    if (frame.type !== "hello") {
      refuse(socket, { code: "unauthorized", message: "authenticate first: answer the challenge with a hello" }, CloseCode.unauthorized);
      return;
    }
    if (!(PROTOCOL_VERSIONS as readonly number[]).includes(frame.version)) {
      refuse(
        socket,
        {
          code: "protocol_version",
          message: `protocol ${frame.version} is not supported; this gateway speaks ${PROTOCOL_VERSIONS.join(", ")}`,
        },
        CloseCode.protocolVersion,
      );
      return;
    }
    const auth = await verifyRunnerToken(frame.token, state, (kid) => findRunnerKey(this.ctx.storage.sql, kid));
    if (!auth.ok) {
      console.warn(JSON.stringify({ event: "tunnel.auth_failed", runner: state.runner, reason: auth.reason }));
      refuse(socket, { code: "unauthorized", message: "runner authentication failed" }, CloseCode.unauthorized);
      return;
    }
    // One live socket per runner: a new authenticated connection replaces the old one.
    for (const other of this.ctx.getWebSockets()) {
      if (other !== socket && (other.deserializeAttachment() as SocketState).phase === "ready") {
        this.failCallsOn(other);
        other.close(CloseCode.replaced, "replaced by a newer connection");
      }
    }
    socket.serializeAttachment({ phase: "ready", runner: state.runner, kid: auth.kid, since: Date.now() } satisfies SocketState);
    socket.send(encodeFrame({ type: "welcome", version: PROTOCOL_VERSION, runner: state.runner }));
  }

  private readySocket(): WebSocket | null {
    for (const socket of this.ctx.getWebSockets()) {
      if ((socket.deserializeAttachment() as SocketState).phase === "ready") return socket;
    }
    return null;
  }

  private failCallsOn(socket: WebSocket): void {
    for (const [id, call] of this.pending) {
      if (call.socket !== socket) continue;
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.resolve({
        ok: false,
        error: { code: "runner_offline", message: "The home runner disconnected before the call finished; it may or may not have run." },
      });
    }
  }
}

function refuse(socket: WebSocket, error: WireError, code: number): void {
  try {
    socket.send(encodeFrame({ type: "error", error }));
    socket.close(code, error.message.slice(0, 120));
  } catch {
    // the socket is already gone; nothing left to tell it
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
