import { CloseCode } from "../../shared/tunnel/protocol.js";
import type { WireError } from "../../shared/wire-error.js";
import { closeSocket, type HubHost, type SocketCounts } from "./hub-types.js";
import { dropNonce } from "./replay-guard.js";
import { CLOSE_GRACE_MS, setSocketState, socketState } from "./socket-state.js";
import { audit } from "./tunnel-audit.js";

export { CLOSE_GRACE_MS } from "./socket-state.js";

/** An unauthenticated socket is closed after this long. */
export const AUTH_DEADLINE_MS = 10_000;
/**
 * Sockets per hub that may wait to authenticate (or to finish closing) at once; the next upgrade
 * is refused before it is accepted. A runner answers its challenge within milliseconds, so only
 * sockets that say nothing ever fill this.
 */
export const MAX_UNAUTHENTICATED_SOCKETS = 64;

/**
 * Closes sockets that did not authenticate in time (4408), and forgets sockets that were sent a
 * close and did not answer it within the grace. The runtime keeps listing such a socket (it is
 * CLOSING until the peer answers or the connection drops, and there is no way to abort it), so
 * the hub marks it closed: its nonce is gone, nothing is sent to it, and it is not counted.
 */
export function sweepSockets(host: HubHost, now: number): void {
  for (const socket of host.ctx.getWebSockets()) {
    const state = socketState(socket);
    if (state?.phase === "challenged" && now - state.openedAt >= AUTH_DEADLINE_MS) {
      audit(host, state.runner, "tunnel.auth_timeout", "no hello within the deadline");
      dropNonce(host.sql, state.nonce);
      closeSocket(socket, { code: "unauthorized", message: "no hello within the deadline" }, CloseCode.authTimeout, now);
    } else if (state?.phase === "closing" && (state.closeBy ?? 0) <= now) {
      setSocketState(socket, { phase: "closed" });
      host.models.socketGone(socket);
    }
  }
}

/** What the hub counts as open, by phase: a closing socket past its grace counts as gone even before the sweep marks it. */
export function countSockets(ctx: DurableObjectState, now: number): SocketCounts {
  const counts: SocketCounts = { authenticated: 0, unauthenticated: 0, closing: 0 };
  for (const socket of ctx.getWebSockets()) {
    const state = socketState(socket);
    if (state?.phase === "ready") counts.authenticated += 1;
    else if (state?.phase === "challenged") counts.unauthenticated += 1;
    else if (state?.phase === "closing" && (state.closeBy ?? 0) > now) counts.closing += 1;
  }
  return counts;
}

/**
 * When the earliest socket deadline (an authentication to time out, a close grace to end) falls due,
 * in real time: deadlines run on the socket clock, `socketNow` (equal to the real one outside tests).
 */
export function nextSocketDeadline(ctx: DurableObjectState, socketNow: number): number | undefined {
  let due: number | undefined;
  for (const socket of ctx.getWebSockets()) {
    const state = socketState(socket);
    const at = state?.phase === "challenged" ? state.openedAt + AUTH_DEADLINE_MS : state?.phase === "closing" ? state.closeBy : undefined;
    if (at !== undefined && (due === undefined || at < due)) due = at;
  }
  return due === undefined ? undefined : Date.now() + Math.max(0, due - socketNow);
}

/**
 * Called before a new socket is accepted: sweeps, then refuses (503, before any socket exists)
 * while the unauthenticated and closing sockets fill the cap. An authenticated runner is not
 * affected; a runner that is refused retries with its backoff.
 */
export function refuseOverCap(host: HubHost): Response | null {
  const now = host.socketNow();
  sweepSockets(host, now);
  const { unauthenticated, closing } = countSockets(host.ctx, now);
  if (unauthenticated + closing < MAX_UNAUTHENTICATED_SOCKETS) return null;
  const message = `too many connections are waiting to authenticate with this runner name (at most ${MAX_UNAUTHENTICATED_SOCKETS}); try again shortly`;
  return Response.json(
    { error: { code: "too_many_connections", message } satisfies WireError },
    { status: 503, headers: { "retry-after": String(Math.ceil((AUTH_DEADLINE_MS + CLOSE_GRACE_MS) / 1000)) } },
  );
}
