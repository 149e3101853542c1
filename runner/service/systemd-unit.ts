/**
 * The systemd unit that runs the home runner as a service. The runner needs three things: its
 * state dir (key, journal, pinned gateway key) writable, the Docker socket, and the network to dial
 * out to the gateway. Everything else is read-only or absent, and the docker group is the one
 * extra access it is given.
 */
export interface RunnerUnitOptions {
  /** A user unit (`systemctl --user`): no User=/SupplementaryGroups=, the user must be in the docker group already. */
  user: boolean;
  /** For a system unit: the account it runs as. */
  account: string;
  node: string;
  /** runner/bin/drawbridge.js, absolute. */
  entry: string;
  workingDirectory: string;
  stateDir: string;
  gatewayUrl: string;
  runnerName: string;
}

export const UNIT_NAME = "drawbridge-runner.service";

export class ServiceUnitError extends Error {
  override readonly name = "ServiceUnitError";
}

export function runnerUnit(options: RunnerUnitOptions): string {
  const env = {
    DRAWBRIDGE_STATE_DIR: options.stateDir,
    DRAWBRIDGE_GATEWAY_URL: options.gatewayUrl,
    DRAWBRIDGE_RUNNER_NAME: options.runnerName,
    NODE_ENV: "production",
  };
  const lines = [
    "# Written by `drawbridge runner service install`. Re-run it to regenerate; edits here are overwritten.",
    "[Unit]",
    "Description=Drawbridge home runner (dials out to the gateway, runs tool calls in Docker sandboxes)",
    "Wants=network-online.target",
    "After=network-online.target docker.service",
    "",
    "[Service]",
    "Type=simple",
    `WorkingDirectory=${escape(options.workingDirectory)}`,
    `ExecStart=${quote(options.node)} ${quote(options.entry)} runner`,
    ...Object.entries(env).map(([key, value]) => `Environment=${quote(`${key}=${value}`)}`),
    ...(options.user ? [] : [`User=${name(options.account)}`, "SupplementaryGroups=docker"]),
    "Restart=on-failure",
    "RestartSec=5",
    // SIGTERM lets the runner remove its sandbox containers before it exits.
    "KillSignal=SIGTERM",
    "TimeoutStopSec=30",
    "",
    "# Hardening: only the state dir is writable; the Docker socket is reached through the docker group.",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=read-only",
    `ReadWritePaths=${quote(options.stateDir)}`,
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "RestrictSUIDSGID=yes",
    "RestrictRealtime=yes",
    "RestrictNamespaces=yes",
    "LockPersonality=yes",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "UMask=0077",
    "",
    "[Install]",
    `WantedBy=${options.user ? "default.target" : "multi-user.target"}`,
    "",
  ];
  return lines.join("\n");
}

/** How to turn the written unit on. */
export function enableSteps(user: boolean, account: string): string[] {
  const ctl = user ? "systemctl --user" : "sudo systemctl";
  return [
    `${ctl} daemon-reload`,
    `${ctl} enable --now ${UNIT_NAME}`,
    `${user ? "journalctl --user" : "journalctl"} -u ${UNIT_NAME} -f      # its log`,
    ...(user ? [`sudo loginctl enable-linger ${account}      # keep it running after you log out`] : []),
  ];
}

/** A systemd value in double quotes; `%` and `$` would otherwise be expanded. */
function quote(value: string): string {
  return `"${escape(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function escape(value: string): string {
  if (/[\n\r]/.test(value)) throw new ServiceUnitError("a path or setting for the unit contains a line break");
  return value.replace(/%/g, "%%").replace(/\$/g, "$$$$");
}

function name(account: string): string {
  if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(account)) throw new ServiceUnitError(`not a user name: ${JSON.stringify(account.slice(0, 40))}`);
  return account;
}
