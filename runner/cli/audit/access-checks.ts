import type { AccessConfig } from "../../../shared/access/access-config.js";
import type { Role } from "../../../shared/access/roles.js";
import type { AuditFinding } from "../../../shared/audit-report.js";
import { layersFor, narrowestProfile } from "../../../shared/policy/policy-layers.js";
import { reachOf, strangerRoutes, type Reach } from "./who-can-reach.js";

/** Where the config the checks read came from, in words ("DRAWBRIDGE_ACCESS in /x/dev.vars", "the served config"). */
export type ConfigOrigin = string;

/** access.open_dms, access.open_groups and access.open_with_tools: who can reach the bot, and what they can run. */
export function checkAccess(config: AccessConfig, ownerId: string, origin: ConfigOrigin): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (config.dmPolicy === "open") {
    findings.push({
      id: "access.open_dms",
      severity: "warn",
      title: "Anyone can DM the bot",
      detail: `dmPolicy is "open" with allowFrom ["*"] (${origin}): every Telegram user is served as ${config.pairing.defaultRole} without pairing.`,
      fix: 'Set dmPolicy to "pairing" (the default) and drop "*" from allowFrom; approve people with `drawbridge pairing approve`.',
    });
  }
  if (config.groups.policy === "open") {
    const who = config.groups.allowFrom.includes("*") ? "every member of every group" : "the owner and groups.allowFrom in any group";
    findings.push({
      id: "access.open_groups",
      severity: "warn",
      title: "Any group can add the bot",
      detail: `groups.policy is "open" (${origin}): ${who} that adds the bot is served${config.groups.requireMention ? "" : ", without even mentioning it (requireMention false)"}.`,
      fix: 'Set groups.policy to "allowlist" and list the groups in groups.allowChats (`drawbridge audit --fix` does it in the config file).',
    });
  }
  const exposed = strangerRoutes(config, ownerId)
    .map((route) => ({ route, reach: reachOf(config.tools, { role: route.role, senderId: route.senderId }) }))
    .filter(({ reach }) => reach.touchesRunner);
  if (exposed.length > 0) {
    const unattended = exposed.some(({ reach }) => reach.anyCommand || reach.writes);
    findings.push({
      id: "access.open_with_tools",
      severity: unattended ? "critical" : "warn",
      title: unattended ? "Strangers can run commands or write files on the runner" : "Strangers can reach exec or write (with approval)",
      detail: exposed
        .map(({ route, reach }) => `a stranger in ${route.where} is served as ${route.role} and can ${describeReach(reach)}`)
        .join("; ")
        .concat(` (${origin}).`),
      fix:
        'Close the door (dmPolicy "pairing", groups.policy "allowlist"), or narrow what that role gets: tools.roles.' +
        `${exposed[0]?.route.role ?? "limited"}.profile "messaging" or a deny of group:runtime and group:fs.`,
    });
  }
  return findings;
}

/** tools.elevated and tools.exec_full: what the tool policy lets approved senders do. */
export function checkTools(config: AccessConfig, origin: ConfigOrigin): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const policy = config.tools;
  if (policy.elevated.enabled) {
    const roles = (["owner", "trusted", "limited"] as const).filter(
      (role) => narrowestProfile(layersFor(policy, { role, senderId: null })).value === "full",
    );
    findings.push({
      id: "tools.elevated",
      severity: policy.elevated.ask === "off" ? "critical" : "warn",
      title: "Elevated (host) exec is enabled",
      detail:
        `tools.elevated.enabled is true (${origin}), ask "${policy.elevated.ask}": commands can run on the home box outside the sandbox` +
        ` for ${roles.length ? roles.join(", ") : "no role yet (none has the full profile)"}, where the runner's elevated.allowed agrees.`,
      fix: 'Set tools.elevated.enabled to false; if you need it, keep tools.elevated.ask "always" so you approve every host command.',
    });
  }
  const wide: string[] = [];
  for (const role of ["trusted", "limited"] as const satisfies readonly Role[]) {
    if (reachOf(policy, { role, senderId: null }).anyCommand) wide.push(`role ${role}`);
  }
  for (const senderId of Object.keys(policy.senders)) {
    const role = config.roles[senderId] ?? "trusted";
    if (role !== "blocked" && reachOf(policy, { role, senderId }).anyCommand) wide.push(`sender ${senderId} (${role})`);
  }
  if (wide.length > 0) {
    findings.push({
      id: "tools.exec_full",
      severity: "warn",
      title: "Senders other than the owner run any command without asking",
      detail: `${wide.join(", ")} can exec any command in the sandbox with no allowlist and no approval (${origin}).`,
      fix: 'Give them exec security "allowlist" with the commands they need, and ask "on-miss" (the trusted default).',
    });
  }
  return findings;
}

function describeReach(reach: Reach): string {
  if (reach.anyCommand) return `run any command (${reach.tools.join(", ")}) without your approval`;
  if (reach.writes) return `write files (${reach.tools.join(", ")}) without your approval`;
  return `reach ${reach.tools.join(", ")}, each command allowlisted or approved by you`;
}
