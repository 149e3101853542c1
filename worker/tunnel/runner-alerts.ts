import { StoredEdgeSettings, SettingsRow } from "../storage/settings-row.js";
import { loadGatewayConfig, ownerOn, type EdgeSettings } from "../config.js";
import { gatekeeperStub, telegramAccount } from "../objects/stubs.js";
import { readySocket, type HubHost } from "./hub-types.js";
import { liveKeys } from "./runner-keys.js";
import { audit } from "./tunnel-audit.js";

/**
 * Tells the owner when their runner has been offline for `alerts.runnerOfflineMinutes`, and
 * again when it is back. A storm is impossible by construction: at most one offline alert per
 * runner per hour (an outage that passes the threshold within the hour after the last alert is
 * held until that hour is over, and sent then only if the runner is still offline), and a
 * back-online message only follows an offline alert that was sent. Runs on the hub's alarm;
 * state lives in the one-row `runner_outage` table.
 */
export const ALERT_INTERVAL_MS = 60 * 60 * 1000;

type Outage = {
  runner: string;
  offline_since: number | null;
  offline_seq: number;
  alerted_at: number | null;
  last_alert_at: number | null;
};

function outage(sql: SqlStorage): Outage | null {
  return (
    sql.exec<Outage>("SELECT runner, offline_since, offline_seq, alerted_at, last_alert_at FROM runner_outage WHERE id = 1").toArray()[0] ??
    null
  );
}

/** The settings the Worker last passed in (on registration), else this deployment's own vars. */
function alertSettings(host: HubHost): EdgeSettings | null {
  const stored = new SettingsRow(host.sql, StoredEdgeSettings).load();
  if (stored) return stored;
  try {
    return { ...loadGatewayConfig(host.env), account: telegramAccount(host.env) };
  } catch {
    return null;
  }
}

export function rememberAlertSettings(sql: SqlStorage, settings: EdgeSettings): void {
  new SettingsRow(sql, StoredEdgeSettings).save(settings);
}

function thresholdMs(settings: EdgeSettings | null): number {
  return (settings?.access.alerts.runnerOfflineMinutes ?? 5) * 60_000;
}

/** The runner's authenticated socket went away (and no other replaced it): an outage starts now. */
export function runnerWentOffline(host: HubHost, runner: string, closed: WebSocket): number | null {
  const { ctx, sql } = host;
  const ready = readySocket(ctx);
  if (ready !== null && ready !== closed) return null;
  const seq = sql.exec<{ seq: number }>("SELECT COALESCE(MAX(seq), 0) AS seq FROM outbox").one().seq;
  sql.exec(
    `INSERT INTO runner_outage (id, runner, offline_since, offline_seq) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET runner = excluded.runner, offline_since = COALESCE(runner_outage.offline_since, excluded.offline_since),
       offline_seq = CASE WHEN runner_outage.offline_since IS NULL THEN excluded.offline_seq ELSE runner_outage.offline_seq END`,
    runner,
    host.now(),
    seq,
  );
  return nextAlertDue(host);
}

/** When the alarm must look at the outage next, or null if nothing is due. */
export function nextAlertDue(host: HubHost): number | null {
  const row = outage(host.sql);
  if (!row || row.offline_since === null || row.alerted_at !== null) return null;
  const due = row.offline_since + thresholdMs(alertSettings(host));
  return row.last_alert_at === null ? due : Math.max(due, row.last_alert_at + ALERT_INTERVAL_MS);
}

/** From the alarm: sends the offline alert once the outage is long enough and the hourly limit allows it. */
export async function checkOutage(host: HubHost): Promise<void> {
  const { sql, ctx } = host;
  const row = outage(sql);
  if (!row || row.offline_since === null || row.alerted_at !== null || readySocket(ctx) !== null) return;
  // A revoked runner (no live key) cannot come back as it was: nobody is told it is gone.
  if (liveKeys(sql).length === 0) {
    sql.exec("UPDATE runner_outage SET offline_since = NULL WHERE id = 1");
    return;
  }
  const due = nextAlertDue(host);
  const now = host.now();
  if (due === null || now < due) return;
  sql.exec("UPDATE runner_outage SET alerted_at = ?, last_alert_at = ? WHERE id = 1", now, now);
  const text = offlineAlertText(row.runner, now - row.offline_since, queuedSince(sql, row.offline_seq));
  audit(host, row.runner, "runner.offline_alert", text);
  await tellOwner(host, text);
}

/** The runner authenticated again: the outage ends; the owner hears of it only if they heard it began. */
export async function runnerBack(host: HubHost): Promise<void> {
  const { sql } = host;
  const row = outage(sql);
  if (!row || row.offline_since === null) return;
  sql.exec("UPDATE runner_outage SET offline_since = NULL, alerted_at = NULL WHERE id = 1");
  if (row.alerted_at === null) return;
  const text = backOnlineText(row.runner, host.now() - row.offline_since, queuedSince(sql, row.offline_seq));
  audit(host, row.runner, "runner.back_online_alert", text);
  await tellOwner(host, text);
}

function queuedSince(sql: SqlStorage, seq: number): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE seq > ?", seq).one().n;
}

/** Telegram, through the Gatekeeper's durable reply queue; the console reads the audit line above. */
async function tellOwner(host: HubHost, text: string): Promise<void> {
  const settings = alertSettings(host);
  // The owner on Telegram, wherever DRAWBRIDGE_OWNER lists them (the first entry may be another channel's).
  const owner = settings ? ownerOn(settings, "telegram") : null;
  if (!settings || !owner) return;
  try {
    await gatekeeperStub(host.env, settings.account).deliverReply(settings, owner.id, text);
  } catch (error) {
    console.error(JSON.stringify({ event: "tunnel.alert_delivery_failed", reason: String(error) }));
  }
}

export function offlineAlertText(runner: string, goneMs: number, queued: number): string {
  return (
    `⚠️ Runner "${runner}" is offline: no connection for ${duration(goneMs)}. ` +
    `Calls for it wait in its queue (${queued} so far) and run when it reconnects.`
  );
}

export function backOnlineText(runner: string, goneMs: number, queued: number): string {
  return `✅ Runner "${runner}" is back online after ${duration(goneMs)} offline; ${queued} ${queued === 1 ? "call" : "calls"} queued meanwhile.`;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
}
