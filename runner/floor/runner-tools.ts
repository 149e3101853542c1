import { join } from "node:path";
import type Docker from "dockerode";
import { AuditLog } from "../audit/audit-log.js";
import { appArmorHostLine, detectAppArmor } from "../sandbox/apparmor.js";
import { DockerSandbox } from "../sandbox/docker-sandbox.js";
import type { ToolHost } from "../tools/dispatch.js";
import { floorFrom, sandboxSettingsFrom } from "./local-floor.js";
import type { RunnerFileConfig } from "./runner-file-config.js";

export type RunnerTools = { host: ToolHost; sandbox: DockerSandbox; stop: () => Promise<void> };
type Log = (event: string, fields?: Record<string, unknown>) => void;

/**
 * Everything a call needs on this runner, from the config file: the floor, the audit log
 * (0600), and the sandbox with orphans removed, the idle reaper running and the pool warming.
 */
export async function startTools(
  file: RunnerFileConfig,
  options: { docker: Docker; image: string; runner: string; stateDir: string; log: Log },
): Promise<RunnerTools> {
  const { docker, image, runner, stateDir, log } = options;
  const audit = await AuditLog.open(file.audit.path ?? join(stateDir, "audit.jsonl"));
  const appArmor = await detectAppArmor(docker);
  const settings = sandboxSettingsFrom(file, stateDir, runner, { appArmor });
  const sandbox = new DockerSandbox({ docker, image, runner, settings });
  // A limit line that cannot be written is logged; it must not become an unhandled rejection (that ends the runner).
  sandbox.onLimit = (event) =>
    void audit
      .record({ event: "sandbox.limit_hit", limit: event.kind, session: event.session, container: event.container })
      .catch((error: unknown) => log("audit.write_failed", { message: error instanceof Error ? error.message : String(error) }));
  // Containers left by an earlier run of this runner have no live owner any more.
  await sandbox.removeAll();
  sandbox.startReaper((error) => log("sandbox.reap_failed", { message: String(error) }));
  void sandbox
    .warmUp()
    .catch((error: unknown) => log("sandbox.warm_pool_failed", { message: error instanceof Error ? error.message : String(error) }));
  await audit.record({
    event: "runner.started",
    runner,
    tools: file.tools,
    scope: file.sandbox.scope,
    workspaceAccess: file.sandbox.workspaceAccess,
    keepBackgroundProcesses: file.sandbox.keepBackgroundProcesses,
    appArmor: settings.appArmorProfile ?? appArmorHostLine(false),
  });
  return {
    host: { sandbox, floor: floorFrom(file), audit },
    sandbox,
    stop: async () => {
      await sandbox.close();
      await audit.record({ event: "runner.stopped", runner });
      await audit.close();
    },
  };
}
