import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import {
  MAX_FRAME_BYTES,
  MODEL_RELAY_VERSION,
  frameFits,
  type ModelPath,
  type ModelReply,
  type ModelResponse,
} from "../../shared/tunnel/protocol.js";
import type { WireError } from "../../shared/wire-error.js";
import type { FloodGuard } from "./flood-guard.js";
import { socketState } from "./socket-state.js";

export type ModelRelayInput = { method: "POST" | "GET"; path: ModelPath; body: string; timeoutMs: number };
export type ModelRelayAnswer = { status: number; body: string; contentType: string } | { offline: true } | { error: WireError };

/** The longest the hub waits for a model answer, whatever the caller asks. */
export const MAX_MODEL_WAIT_MS = 600_000;

type Pending = { socket: WebSocket; settle: (answer: ModelRelayAnswer) => void; timer: ReturnType<typeof setTimeout> };

/**
 * The hub's side of the model relay: a model request goes to the runner's authenticated socket
 * and its answer is awaited in memory, keyed by a fresh id. Nothing is stored: a model request
 * has no side effect on the home box, and a turn is interactive, so an offline runner is
 * answered at once instead of queued. The socket's flood guard is credited for the one answer.
 */
export class ModelRelay {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly flood: FloodGuard) {}

  /** `socket`: the runner's authenticated socket, or null when it is not connected. */
  relay(socket: WebSocket | null, input: ModelRelayInput): Promise<ModelRelayAnswer> {
    if (!socket) return Promise.resolve({ offline: true });
    const version = readyVersion(socket) ?? 2;
    if (version < MODEL_RELAY_VERSION) {
      return Promise.resolve({
        error: {
          code: "protocol_version",
          message: `the home model needs a newer runner: this one speaks tunnel protocol ${version}, the model relay needs ${MODEL_RELAY_VERSION}. Update the runner.`,
        },
      });
    }
    const id = `model_${hex(16)}`;
    const timeoutMs = Math.min(Math.max(1, input.timeoutMs), MAX_MODEL_WAIT_MS);
    const text = encodeFrame({ type: "model_request", id, method: input.method, path: input.path, body: input.body, timeoutMs });
    if (!frameFits(text)) {
      return Promise.resolve({
        error: { code: "payload_too_large", message: `the model request is larger than the tunnel's ${MAX_FRAME_BYTES}-byte frame limit` },
      });
    }
    return new Promise<ModelRelayAnswer>((resolve) => {
      // A little longer than the runner's own timeout, so its specific answer wins the race.
      const timer = setTimeout(
        () => this.settle(id, { error: { code: "model_timeout", message: `the home model did not answer within ${timeoutMs} ms` } }),
        timeoutMs + 2_000,
      );
      this.pending.set(id, { socket, settle: resolve, timer });
      try {
        this.flood.credit(socket);
        socket.send(text);
      } catch {
        this.settle(id, { offline: true });
      }
    });
  }

  /** A model_response from the runner. One for an id this hub is not waiting on (late, forged, another socket's) is ignored. */
  receive(socket: WebSocket, frame: ModelResponse): boolean {
    const waiting = this.pending.get(frame.id);
    if (!waiting || waiting.socket !== socket) return false;
    this.settle(frame.id, answerOf(frame.reply));
    return true;
  }

  /** The socket closed: its waiting requests are answered now rather than at their timeout. */
  socketGone(socket: WebSocket): void {
    for (const [id, waiting] of this.pending) {
      if (waiting.socket === socket) this.settle(id, { offline: true });
    }
  }

  private settle(id: string, answer: ModelRelayAnswer): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.settle(answer);
  }
}

function answerOf(reply: ModelReply): ModelRelayAnswer {
  return reply.ok ? { status: reply.status, body: reply.body, contentType: reply.contentType } : { error: reply.error };
}

function readyVersion(socket: WebSocket): number | undefined {
  const state = socketState(socket);
  return state?.phase === "ready" ? state.version : undefined;
}

function hex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
