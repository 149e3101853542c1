import { setSocketState, socketState, type SocketState } from "./socket-state.js";
import { encodeFrame } from "../../shared/tunnel/parse-frame.js";
import { CloseCode, PROTOCOL_VERSIONS, type TunnelFrame } from "../../shared/tunnel/protocol.js";
import { armAlarm, AUTH_DEADLINE_MS } from "./hub-deadlines.js";
import { touch } from "./hub-status.js";
import { base64url, closeSocket, type HubHost } from "./hub-types.js";
import * as outbox from "./outbox.js";
import { consumeNonce, issueNonce, rememberJti } from "./replay-guard.js";
import { verifyRunnerToken } from "./runner-auth.js";
import { findRunnerKey } from "./runner-keys.js";
import { audit } from "./tunnel-audit.js";
import { runnerBack } from "./runner-alerts.js";
import { refuseOverCap } from "./socket-sweep.js";

/** Header the Worker uses to tell the hub which runner name the socket claims. */
export const RUNNER_NAME_HEADER = "x-drawbridge-runner";
/** A nonce is good for one hello within this long. */
const NONCE_TTL_MS = AUTH_DEADLINE_MS + 5_000;

/** Accepts the runner's socket and challenges it with a fresh single-use nonce; nothing else happens until a hello answers it. */
export async function challenge(host: HubHost, request: Request): Promise<Response> {
  const { ctx, sql } = host;
  const runner = request.headers.get(RUNNER_NAME_HEADER);
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !runner) {
    return new Response("expected a WebSocket upgrade", { status: 426 });
  }
  // Sockets that never authenticate (or never answer their close) are capped, so they cannot pile up.
  const busy = refuseOverCap(host);
  if (busy) return busy;
  const { 0: client, 1: server } = new WebSocketPair();
  ctx.acceptWebSocket(server);
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(32)));
  issueNonce(sql, nonce, Date.now() + NONCE_TTL_MS);
  const openedAt = host.socketNow();
  setSocketState(server, { phase: "challenged", runner, nonce, openedAt });
  server.send(encodeFrame({ type: "challenge", versions: [...PROTOCOL_VERSIONS], nonce }));
  await armAlarm(ctx, sql, undefined, openedAt);
  return new Response(null, { status: 101, webSocket: client });
}

/**
 * The first frame on a challenged socket: a hello with a runner-signed token, or the socket is refused.
 * A refused socket is marked closing, so frames already on their way are ignored, not authenticated
 * (and audited) one by one.
 */
export async function authenticate(
  host: HubHost,
  socket: WebSocket,
  state: Extract<SocketState, { phase: "challenged" }>,
  frame: TunnelFrame,
): Promise<void> {
  const { ctx, sql } = host;
  if (frame.type !== "hello") {
    audit(host, state.runner, "tunnel.auth_failed", `"${frame.type}" frame before hello`);
    closeSocket(socket, { code: "unauthorized", message: "authenticate first: answer the challenge with a hello" }, CloseCode.unauthorized);
    return;
  }
  if (!(PROTOCOL_VERSIONS as readonly number[]).includes(frame.version)) {
    audit(host, state.runner, "tunnel.protocol_refused", `version ${frame.version}`);
    closeSocket(
      socket,
      {
        code: "protocol_version",
        message: `protocol ${frame.version} is not supported; this gateway speaks ${PROTOCOL_VERSIONS.join(", ")}. Update the runner.`,
      },
      CloseCode.protocolVersion,
    );
    return;
  }
  const auth = await verifyRunnerToken(frame.token, state, (kid) => findRunnerKey(sql, kid));
  let reason = auth.ok ? null : auth.reason;
  // Single use, remembered in SQLite: a replay is refused even after a restart.
  if (auth.ok && !consumeNonce(sql, state.nonce)) reason = "nonce already used or expired";
  if (auth.ok && !reason && !rememberJti(sql, auth.jti, auth.exp * 1000 + 10_000)) reason = "jti replayed";
  if (!auth.ok || reason) {
    audit(host, state.runner, "tunnel.auth_failed", reason ?? "refused");
    closeSocket(socket, { code: "unauthorized", message: "runner authentication failed" }, CloseCode.unauthorized);
    return;
  }
  // One live socket per runner: a new authenticated connection replaces the old one.
  let replaced = false;
  for (const other of ctx.getWebSockets()) {
    if (other !== socket && socketState(other)?.phase === "ready") {
      closeSocket(other, { code: "unauthorized", message: "replaced by a newer connection" }, CloseCode.replaced, host.socketNow());
      replaced = true;
    }
  }
  // The replaced socket's close grace needs the alarm too.
  if (replaced) await armAlarm(ctx, sql, undefined, host.socketNow());
  setSocketState(socket, { phase: "ready", runner: state.runner, kid: auth.kid, since: Date.now(), version: frame.version });
  touch(sql);
  socket.send(
    encodeFrame({
      type: "welcome",
      // The version the runner picked, confirmed: a v2 runner is spoken to in v2.
      version: frame.version,
      runner: state.runner,
      resume: { callSeq: outbox.counter(sql, "call_ack"), resultSeq: outbox.counter(sql, "result_ack") },
    }),
  );
  // Resume: everything the runner has not acknowledged goes out again, oldest first.
  await host.delivery.send(socket, outbox.unacknowledged(sql));
  await runnerBack(host);
}
