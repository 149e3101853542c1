import { socketState } from "./socket-state.js";
import { HubSettingsPatch, readSettings, writeSetting, type HubSettings } from "./hub-settings.js";
import { readySocket, type HubHost, type RunnerStatus } from "./hub-types.js";
import * as outbox from "./outbox.js";
import { countAllKeys, liveKeys } from "./runner-keys.js";
import { recentAudit } from "./tunnel-audit.js";
import { countSockets } from "./socket-sweep.js";

/** What `GET /api/runners/:name` shows: connection, keys, queue, settings and recent tunnel audit. */
export function runnerStatus(host: HubHost, runner: string): RunnerStatus {
  const { ctx, sql } = host;
  const ready = readySocket(ctx);
  const state = ready ? socketState(ready) : null;
  const counts = outbox.countPending(sql);
  const { queueTtlSeconds, queueLimit } = readSettings(sql);
  return {
    runner,
    registered: countAllKeys(sql) > 0,
    connected: ready !== null,
    since: state?.phase === "ready" ? state.since : null,
    lastSeen: lastSeen(ctx, sql, ready),
    keys: liveKeys(sql),
    queueDepth: counts.queued,
    inFlight: counts.inFlight,
    settings: { queueTtlSeconds, queueLimit },
    recentAudit: recentAudit(sql, 20),
    sockets: countSockets(ctx, host.socketNow()),
  };
}

export function updateSettings(sql: SqlStorage, patch: HubSettingsPatch): HubSettings {
  const valid = HubSettingsPatch.parse(patch);
  if (valid.queueTtlSeconds !== undefined) writeSetting(sql, "queueTtlSeconds", valid.queueTtlSeconds);
  if (valid.queueLimit !== undefined) writeSetting(sql, "queueLimit", valid.queueLimit);
  const { queueTtlSeconds, queueLimit } = readSettings(sql);
  return { queueTtlSeconds, queueLimit };
}

/** Remembers that the runner was just seen (it authenticated, or its socket closed). */
export function touch(sql: SqlStorage): void {
  outbox.setCounter(sql, "last_seen", Date.now());
}

/** The stored time, or the runtime's last heartbeat answer if the runner is connected and pinged since. */
function lastSeen(ctx: DurableObjectState, sql: SqlStorage, ready: WebSocket | null): number | null {
  const stored = outbox.counter(sql, "last_seen") || null;
  if (!ready) return stored;
  const pinged = ctx.getWebSocketAutoResponseTimestamp(ready)?.getTime() ?? 0;
  return Math.max(pinged, stored ?? 0) || null;
}
