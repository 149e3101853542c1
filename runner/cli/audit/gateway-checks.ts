import { parseAccessConfig } from "../../../shared/access/access-config.js";
import type { StatusList } from "../../../shared/admin-api.js";
import type { AuditFinding } from "../../../shared/audit-report.js";
import { checkAccess, checkTools } from "./access-checks.js";
import { ownerIdOf } from "./who-can-reach.js";

/** Model providers whose requests carry DRAWBRIDGE_MODEL_API_KEY (workers-ai and home take none). */
const KEYED_PROVIDERS = ["openai", "anthropic"];

/**
 * gateway.secrets_missing: what the served gateway says it lacks. Each missing secret closes a
 * route (503) rather than opening one, so this is a warn: the gateway is safe but does not work.
 */
export function checkServedSecrets(status: StatusList, gatewayUrl: string): AuditFinding[] {
  if (!status.secrets) {
    return [
      {
        id: "gateway.secrets_missing",
        severity: "info",
        title: "The gateway does not say which secrets it has",
        detail: `${gatewayUrl} is older than this CLI: its GET /api/status names no secrets, so they were not checked.`,
        fix: "Deploy the current Worker (`npx wrangler deploy`) and run the audit again.",
      },
    ];
  }
  const needed = ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "GATEWAY_SIGNING_KEY"];
  const provider = status.model?.split(":")[0];
  if (provider && KEYED_PROVIDERS.includes(provider)) needed.push("DRAWBRIDGE_MODEL_API_KEY");
  const missing = needed.filter((name) => status.secrets?.[name] !== true);
  if (missing.length === 0) return [];
  return [
    {
      id: "gateway.secrets_missing",
      severity: "warn",
      title: "The gateway lacks secrets it needs",
      detail: `${gatewayUrl} has no ${missing.join(", ")}: the routes that need them answer 503 (Telegram webhook, runner registration and signed calls, the model).`,
      fix: missing.map((name) => `wrangler secret put ${name}`).join("; ") + " (local stack: restart `npm start`, which writes them).",
    },
  ];
}

/** tunnel.runner_offline: a registered runner that is not connected now. */
export function checkRunners(status: StatusList, now = Date.now()): AuditFinding[] {
  const offline = status.runners.filter((runner) => !runner.connected);
  if (offline.length === 0) return [];
  const seen = (lastSeen: number | null) =>
    lastSeen === null ? "never seen" : `last seen ${Math.max(0, Math.round((now - lastSeen) / 60_000))} min ago`;
  return [
    {
      id: "tunnel.runner_offline",
      severity: "warn",
      title: "A runner is offline",
      detail: `${offline.map((r) => `${r.runner} (${seen(r.lastSeen)}, ${r.queueDepth} queued)`).join(", ")}: tool calls for it wait in the queue and expire.`,
      fix: "Start it (`npm start`, or `systemctl status drawbridge-runner` for the service) and check its log for the reason it dropped.",
    },
  ];
}

/** The access and tool checks again, on the config the gateway actually serves. */
export function checkServedConfig(status: StatusList, owner: string | undefined): AuditFinding[] {
  if (!status.access) return [];
  if (status.access.error !== null) {
    return [
      {
        id: "access.invalid",
        severity: "warn",
        title: "The gateway's access config does not parse",
        detail: `the served DRAWBRIDGE_ACCESS is invalid: ${status.access.error}; the gateway refuses to serve chats with it.`,
        fix: "Fix DRAWBRIDGE_ACCESS under [vars] in wrangler.toml and deploy.",
      },
    ];
  }
  const parsed = parseAccessConfig(status.access.config);
  if (!parsed.ok) return [];
  const origin = "the config the gateway serves";
  return [...checkAccess(parsed.config, ownerIdOf(owner), origin), ...checkTools(parsed.config, origin)];
}
