import { z } from "zod";
import { ApprovalView, PendingPairing, RunnerSummary } from "../../shared/admin-api.js";
import { minutes } from "./access-commands.js";
import type { AdminClient } from "./admin-client.js";
import type { Command } from "./command.js";

/**
 * `drawbridge status --json`: one document built from the admin API's own answers (GET /healthz,
 * /api/status, /api/pairing/telegram, /api/approvals?state=pending), each in its shared shape.
 */
export const StatusView = z
  .object({
    gateway: z.object({ url: z.string(), version: z.string() }).strict(),
    runners: z.array(RunnerSummary),
    /** The assistant's model, or null when none is configured (or the gateway is older and does not say). */
    model: z.string().nullable(),
    channels: z.array(z.object({ channel: z.string(), pending: z.array(PendingPairing) }).strict()),
    approvals: z.array(ApprovalView),
  })
  .strict();
export type StatusView = z.infer<typeof StatusView>;

export function statusCommand(client: () => Promise<AdminClient>): Command {
  return {
    words: "status",
    summary: "one glance: gateway, runners (connected, last seen, queue), pending pairings and approvals",
    json: true,
    async run({ json, say }) {
      const admin = await client();
      // The token is checked by the first call; the rest run together.
      const { runners, model, channels } = await admin.status();
      // Each Slack workspace seen has pairing of its own (GET /api/status lists them; older gateways do not).
      const slack = (channels ?? []).filter((known) => known.channel === "slack").map((known) => known.account);
      const [health, pairing, pending, slackPairing] = await Promise.all([
        admin.health(),
        admin.pairingList("telegram"),
        admin.approvalsList("pending"),
        Promise.all(slack.map(async (account) => ({ channel: account, pending: (await admin.pairingList(account)).pending }))),
      ]);
      const view: StatusView = {
        gateway: { url: admin.gatewayUrl, version: health.version },
        runners,
        model: model ?? null,
        // The console channel is the admin API itself; telegram and each Slack workspace have pairing.
        channels: [{ channel: "telegram", pending: pairing.pending }, ...slackPairing],
        approvals: pending.approvals,
      };
      if (json) return say(JSON.stringify(view));
      for (const line of statusLines(view, Date.now())) say(line);
    },
  };
}

export function statusLines(view: StatusView, now: number): string[] {
  const lines = [`gateway   ${view.gateway.url}  (version ${view.gateway.version})`];
  if (view.runners.length === 0) lines.push("runners   none registered — `drawbridge runner register`, or `npm start` for the local stack");
  for (const runner of view.runners) lines.push(`runner    ${runnerLine(runner, now)}`);
  lines.push(`model     ${view.model ?? "none configured — the assistant is off; see docs/assistant.md"}`);
  for (const { channel, pending } of view.channels) {
    lines.push(
      `channel   ${channel}: ${pending.length === 0 ? "no pending pairing requests" : `${pending.length} pending pairing request(s) — drawbridge pairing list${channel === "telegram" ? "" : ` ${channel}`}`}`,
    );
  }
  lines.push(`approvals ${view.approvals.length === 0 ? "none waiting" : `${view.approvals.length} waiting — drawbridge approvals list`}`);
  return lines;
}

export function runnerLine(runner: RunnerSummary, now: number): string {
  const seen = runner.lastSeen === null ? "never seen" : `last seen ${minutes(Math.round((now - runner.lastSeen) / 1000))} ago`;
  if (runner.unavailable !== undefined) return `${runner.runner}  unknown: ${runner.unavailable}`;
  return `${runner.runner}  ${runner.connected ? "connected" : "offline"}  ${seen}  queue ${runner.queueDepth}  running ${runner.inFlight}  keys ${runner.keys}`;
}
