import { socketState } from "./socket-state.js";
import { armAlarm } from "./hub-deadlines.js";
import { runnerWentOffline } from "./runner-alerts.js";
import { parseFrame } from "../../shared/tunnel/parse-frame.js";
import { CloseCode, PONG_TEXT } from "../../shared/tunnel/protocol.js";
import { touch } from "./hub-status.js";
import { closeSocket, type HubHost } from "./hub-types.js";
import { storeResults } from "./hub-results.js";
import * as outbox from "./outbox.js";
import { authenticate } from "./tunnel-handshake.js";
import { audit } from "./tunnel-audit.js";

/**
 * One frame from the runner's socket. Floods, binary and malformed frames close the socket
 * (and are audited); before the hello only authentication is possible; after it the runner
 * may only acknowledge calls, send results (one or a batch) and model answers, and ping.
 */
export async function receiveFrame(host: HubHost, socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
  const { sql, flood } = host;
  const state = socketState(socket);
  if (state === null || state.phase === "closing" || state.phase === "closed") return;
  if (!flood.allow(socket)) {
    audit(host, state.runner, "tunnel.flood", "frame rate above the limit; socket closed");
    closeSocket(socket, { code: "frame_invalid", message: "too many frames; slow down" }, CloseCode.policy);
    return;
  }
  const parsed = parseFrame(message);
  if (!parsed.ok) {
    audit(host, state.runner, "tunnel.bad_frame", parsed.error.message);
    closeSocket(socket, parsed.error, parsed.error.code === "payload_too_large" ? CloseCode.tooLarge : CloseCode.policy);
    return;
  }
  if (state.phase === "challenged") return authenticate(host, socket, state, parsed.frame);
  const frame = parsed.frame;
  switch (frame.type) {
    case "ack":
      outbox.markAcked(sql, frame.seq);
      return;
    case "result":
      storeResults(host, socket, state.runner, [frame]);
      return;
    case "results":
      storeResults(host, socket, state.runner, frame.results);
      return;
    case "ping":
      socket.send(PONG_TEXT);
      return;
    case "model_response":
      // An answer nobody waits for (late, or an id this hub never sent) is dropped, not an attack on the socket.
      host.models.receive(socket, frame);
      return;
    default:
      // A second hello answers a nonce this socket already used: a replay, audited as a failed authentication.
      if (frame.type === "hello")
        audit(host, state.runner, "tunnel.auth_failed", "hello on an authenticated socket: its nonce is already used");
      else audit(host, state.runner, "tunnel.bad_frame", `"${frame.type}" frame from an authenticated runner`);
      closeSocket(socket, { code: "frame_invalid", message: `a runner may not send "${frame.type}" frames` }, CloseCode.policy);
  }
}

/** A socket closed or failed: an authenticated runner was last seen now, and is offline unless another socket replaced it. */
export async function socketClosed(host: HubHost, socket: WebSocket): Promise<void> {
  const state = socketState(socket);
  if (state?.phase !== "ready") return;
  touch(host.sql);
  const due = runnerWentOffline(host, state.runner, socket);
  if (due !== null) await armAlarm(host.ctx, host.sql, due);
}
