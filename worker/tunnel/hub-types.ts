import type { ToolOutcome, SessionKey, ToolRequest } from "../../shared/tools/tool-call.js";
import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import type { WireError } from "../../shared/wire-error.js";
import type { FloodGuard } from "./flood-guard.js";
import type { ModelRelay } from "./hub-model-relay.js";
import type { HubSettings } from "./hub-settings.js";
import type { OutboxCall, ReplyTarget } from "./outbox.js";
import type { KeyInfo } from "./runner-keys.js";
import { CLOSE_GRACE_MS, setSocketState, socketState } from "./socket-state.js";
import type { TunnelAuditEvent } from "./tunnel-audit.js";

/** Shapes the RunnerHub shares with its callers and helpers, and the socket helpers they use. */
export type { SocketState } from "./socket-state.js";

/** Getting calls to the runner and outcomes back to their senders (call-delivery.ts). */
export interface Delivery {
  waitFor(id: string, waitMs: number): Promise<SubmitResult>;
  send(socket: WebSocket, calls: OutboxCall[]): Promise<void>;
  complete(call: OutboxCall): void;
}

/** What the RunnerHub's parts share: its storage, secrets and sockets, the flood guard, call delivery and the model relay. */
export type HubHost = {
  ctx: DurableObjectState;
  env: Env;
  sql: SqlStorage;
  flood: FloodGuard;
  delivery: Delivery;
  models: ModelRelay;
  /** Business time for owner alerts (runner-alerts.ts); tests move the hub's `clock`. */
  now: () => number;
  /** The clock socket deadlines (authentication, close grace) are measured by; tests move the hub's `socketClock`. */
  socketNow: () => number;
};

export type SubmitInput = {
  /** Chosen by the caller (`<runner>_<32 hex>`), so a retried submit finds its call instead of adding a second. */
  callId: string;
  runner: string;
  session: SessionKey;
  request: ToolRequest;
  timeoutMs: number;
  replyTo: ReplyTarget | null;
  /** What the sender asked, quoted when the result arrives late. */
  label: string;
  /** How long the caller waits for the result before it is delivered late instead. */
  waitMs: number;
  /** The runners after this one on the call's route, in order: where it may fail over to (failover.ts). */
  fallbacks?: string[];
  failoverAfterMs?: number;
};

/** `movedTo`: the call failed over, and this runner serves it (not the one it was sent to). */
export type SubmitResult = (
  | { status: "done"; callId: string | null; outcome: ToolOutcome }
  | { status: "queued"; callId: string; expiresAt: number }
  | { status: "running"; callId: string }
) & { movedTo?: string };

export type RunnerStatus = {
  runner: string;
  registered: boolean;
  connected: boolean;
  since: number | null;
  lastSeen: number | null;
  keys: KeyInfo[];
  queueDepth: number;
  inFlight: number;
  settings: HubSettings;
  recentAudit: TunnelAuditEvent[];
  /** The sockets the hub counts as open; one whose close went unanswered past the grace is not among them. */
  sockets: SocketCounts;
};

export type SocketCounts = { authenticated: number; unauthenticated: number; closing: number };

export type CallView = {
  id: string;
  runner: string;
  state: "pending" | "done";
  queued: boolean;
  createdAt: number;
  expiresAt: number;
  finishedAt: number | null;
  outcome: ToolOutcome | null;
  /** The call failed over to `runner` from this one. */
  movedFrom?: string;
};

/** RPC answers carry refusals as values: an error thrown across RPC loses its status and code. */
export type HubAnswer<T> =
  { ok: true; value: T } | { ok: false; status: 400 | 401 | 404 | 409 | 503; code: WireError["code"]; message: string };

export function refusal(
  status: 400 | 401 | 404 | 409 | 503,
  code: WireError["code"],
  message: string,
): { ok: false; status: 400 | 401 | 404 | 409 | 503; code: WireError["code"]; message: string } {
  return { ok: false, status, code, message };
}

export function failure(code: WireError["code"], message: string): ToolOutcome {
  return { ok: false, error: { code, message } };
}

/**
 * Closes a socket and marks it so nothing is sent to it while the close completes. A peer that
 * has not answered by `closeBy` is treated as gone (socket-sweep.ts), since the runtime keeps
 * listing a socket whose close was never answered.
 */
export function closeSocket(socket: WebSocket, error: WireError, code: number, now = Date.now()): void {
  const state = socketState(socket);
  const runner = state && state.phase !== "closed" ? state.runner : "";
  setSocketState(socket, { phase: "closing", runner, closeBy: now + CLOSE_GRACE_MS });
  refuse(socket, error, code);
}

export function refuse(socket: WebSocket, error: WireError, code: number): void {
  try {
    socket.send(encodeFrame({ type: "error", error }));
    socket.close(code, error.message.slice(0, 120));
  } catch {
    // the socket is already gone; nothing left to tell it
  }
}

/** The runner's authenticated socket, if it is connected. */
export function readySocket(ctx: DurableObjectState): WebSocket | null {
  for (const socket of ctx.getWebSockets()) {
    if (socketState(socket)?.phase === "ready") return socket;
  }
  return null;
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
