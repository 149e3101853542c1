import { join } from "node:path";
import type { Call } from "../../shared/tunnel/protocol.js";
import type { SandboxSettings } from "../sandbox/sandbox-settings.js";
import type { RunnerFileConfig } from "./runner-file-config.js";

/** The runner's own limits, applied to every call whatever the gateway signed. */
export type LocalFloor = {
  tools: ReadonlySet<string>;
  sandboxRequired: boolean;
  elevatedAllowed: boolean;
  maxExecMs: number;
  maxFileBytes: number;
};

export type FloorDecision = { allowed: true; timeoutMs: number } | { allowed: false; reason: string };

export function floorFrom(config: RunnerFileConfig): LocalFloor {
  return {
    tools: new Set(config.tools),
    sandboxRequired: config.sandbox.required,
    elevatedAllowed: config.elevated.allowed && !config.sandbox.required,
    maxExecMs: config.limits.maxExecSeconds * 1000,
    maxFileBytes: config.limits.maxFileBytes,
  };
}

/** Checks one call against the floor. A refusal says why, in words the sender can act on. */
export function checkFloor(floor: LocalFloor, call: Call): FloorDecision {
  const { request } = call;
  if (!floor.tools.has(request.tool)) {
    return { allowed: false, reason: `this runner does not serve the ${request.tool} tool (its local policy floor)` };
  }
  if (request.tool === "exec" && request.args.elevated) {
    if (floor.sandboxRequired)
      return { allowed: false, reason: "this runner requires every exec to run in its sandbox (sandbox.required)" };
    if (!floor.elevatedAllowed) return { allowed: false, reason: "elevated host exec is disabled on this runner (elevated.allowed)" };
    return { allowed: false, reason: "elevated host exec is not available in this runner version" };
  }
  // An over-long time limit is lowered to the floor's, not refused: the command still gets its run.
  return { allowed: true, timeoutMs: Math.min(call.timeoutMs, floor.maxExecMs) };
}

/**
 * The sandbox shape the config file describes, with private workspaces under the runner's state dir.
 * `host.appArmor`: whether this host has AppArmor (detectAppArmor); only then is the profile applied.
 */
export function sandboxSettingsFrom(
  config: RunnerFileConfig,
  stateDir: string,
  runner: string,
  host: { appArmor: boolean } = { appArmor: false },
): SandboxSettings {
  const s = config.sandbox;
  const MiB = 1024 * 1024;
  return {
    scope: s.scope,
    workspaceAccess: s.workspaceAccess,
    userWorkspace: config.workspace.path,
    roots: config.workspace.roots,
    privateRoot: join(stateDir, "sandboxes", runner),
    idleMs: s.idleSeconds * 1000,
    warmPool: s.warmPool,
    keepBackgroundProcesses: s.keepBackgroundProcesses,
    residentExecutor: s.residentExecutor,
    appArmorProfile: host.appArmor ? s.appArmorProfile : undefined,
    limits: {
      memoryBytes: s.memoryMb * MiB,
      nanoCpus: Math.round(s.cpus * 1e9),
      pidsLimit: s.pids,
      tmpfsBytes: s.tmpMb * MiB,
      nofile: s.nofile,
      nproc: s.nproc,
      outputBytes: s.outputBytes,
    },
  };
}
