import { socketState } from "./socket-state.js";
import { CloseCode } from "../../shared/tunnel/protocol.js";
import { GatewayError } from "../http/gateway-error.js";
import { capabilitySigner, type CapabilitySigner, type GatewayPublicKey } from "./capability-signer.js";
import { readSettings, writeSetting } from "./hub-settings.js";
import { closeSocket, failure, refusal, type HubAnswer } from "./hub-types.js";
import * as outbox from "./outbox.js";
import type { OutboxCall } from "./outbox.js";
import { rememberJti } from "./replay-guard.js";
import { verifyRotationToken } from "./runner-auth.js";
import { addRunnerKey, findRunnerKey, liveKeys, revokeRunnerKey, RunnerPublicKey } from "./runner-keys.js";
import { audit, type AuditHost } from "./tunnel-audit.js";

/** What key management needs from its RunnerHub: storage, secrets, its sockets, how to finish a call, and its `waitUntil` (for audit). */
export type KeyHost = AuditHost & { sockets(): WebSocket[]; complete(call: OutboxCall): void };

/** Registers a key (owner, through the admin API). At most two live keys; revoked keys never return. */
export async function registerKey(
  host: KeyHost,
  runner: string,
  key: RunnerPublicKey,
): Promise<HubAnswer<{ kid: string; gatewayKey: GatewayPublicKey }>> {
  const signer = await signerOrError(host.env);
  if (!signer.ok) return signer;
  const added = await addRunnerKey(host.sql, RunnerPublicKey.parse(key));
  if (!added.ok) {
    return added.reason === "revoked"
      ? refusal(
          409,
          "conflict",
          `key ${added.kid} was revoked and cannot be registered again; create a new one with \`drawbridge runner keygen\``,
        )
      : refusal(409, "conflict", `runner ${runner} already has two live keys; revoke one first (\`drawbridge runner revoke <kid>\`)`);
  }
  writeSetting(host.sql, "runner", runner);
  if (added.added) audit(host, runner, "runner.key_registered", `kid ${added.kid}`);
  return { ok: true, value: { kid: added.kid, gatewayKey: signer.value.publicKey } };
}

/** Rotation: a token signed by a live key introduces the next key; every other key is retired. */
export async function rotateKey(
  host: KeyHost,
  runner: string,
  token: string,
): Promise<HubAnswer<{ kid: string; retired: string[]; gatewayKey: GatewayPublicKey }>> {
  const signer = await signerOrError(host.env);
  if (!signer.ok) return signer;
  const auth = await verifyRotationToken(token, runner, (kid) => findRunnerKey(host.sql, kid));
  if (!auth.ok || !rememberJti(host.sql, auth.jti, auth.exp * 1000 + 10_000)) {
    audit(host, runner, "runner.rotation_refused", auth.ok ? "rotation token replayed" : auth.reason);
    return refusal(401, "unauthorized", "the rotation request is not signed by a live key of this runner");
  }
  const newKey = RunnerPublicKey.safeParse(auth.payload.newKey);
  if (!newKey.success) return refusal(400, "bad_request", "newKey must be an Ed25519 public JWK");
  const retired: string[] = [];
  for (const key of liveKeys(host.sql)) {
    if (key.kid !== auth.kid && revokeLocally(host, key.kid, "retired by rotation") >= 0) retired.push(key.kid);
  }
  const added = await addRunnerKey(host.sql, newKey.data);
  if (!added.ok) return refusal(409, "conflict", `key ${added.kid} cannot be added (${added.reason})`);
  audit(host, runner, "runner.key_rotated", `kid ${auth.kid} introduced ${added.kid}`);
  return { ok: true, value: { kid: added.kid, retired, gatewayKey: signer.value.publicKey } };
}

export async function signerOrError(env: Env): Promise<HubAnswer<CapabilitySigner>> {
  try {
    return { ok: true, value: await capabilitySigner(env) };
  } catch (error) {
    if (error instanceof GatewayError) return refusal(503, error.code, error.message);
    throw error;
  }
}

/** Revokes a key: its sockets close at once; with no live key left, every waiting call is stopped and its sender told. */
export function revokeKey(host: KeyHost, kid: string): { revoked: boolean; closed: number; cancelled: number } {
  const closed = revokeLocally(host, kid, "revoked by the owner");
  const revoked = closed >= 0;
  let cancelled = 0;
  if (revoked && liveKeys(host.sql).length === 0) {
    for (const call of outbox.pendingCalls(host.sql)) {
      const done = outbox.finish(
        host.sql,
        call.id,
        failure("runner_revoked", "The runner's key was revoked, so this call was not delivered."),
      );
      if (done) {
        cancelled += 1;
        host.complete(done);
      }
    }
  }
  return { revoked, closed, cancelled };
}

/** Revokes and closes the key's sockets; the number of sockets closed, or -1 if the key was not live. */
function revokeLocally(host: KeyHost, kid: string, why: string): number {
  if (!revokeRunnerKey(host.sql, kid)) return -1;
  const runner = readSettings(host.sql).runner ?? "?";
  audit(host, runner, "runner.key_revoked", `kid ${kid} ${why}`);
  let closed = 0;
  for (const socket of host.sockets()) {
    const state = socketState(socket);
    if (state?.phase === "ready" && state.kid === kid) {
      closeSocket(socket, { code: "unauthorized", message: `this runner key was ${why}` }, CloseCode.revoked);
      closed += 1;
    }
  }
  return closed;
}
