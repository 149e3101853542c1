import { checkCapability } from "./identity/capability-check.js";
import { loadPinnedGatewayKey } from "./identity/gateway-key.js";
import { loadRunnerKey } from "./identity/runner-key.js";
import { CallJournal, journalPath } from "./journal/call-journal.js";
import type { RunnerConfig } from "./runner-config.js";
import { loadRunnerFile } from "./floor/load-runner-file.js";
import { startTools } from "./floor/runner-tools.js";
import { engineClient } from "./sandbox/engine-client.js";
import { ensureSandboxImage, SANDBOX_IMAGE } from "./sandbox/sandbox-image.js";
import { SandboxError } from "./sandbox/sandbox-runtime.js";
import { auditRefusal } from "./tools/audit-call.js";
import { dispatchCall } from "./tools/dispatch.js";
import { homeModelSettings } from "./floor/model-config.js";
import { relayModelRequest } from "./tunnel/model-relay.js";
import { TunnelClient, type TunnelLog } from "./tunnel/tunnel-client.js";

export type RunningRunner = { client: TunnelClient; stop: () => Promise<void> };

/** Logs as JSON lines on stdout: one event per line, easy to follow and to parse. */
export const jsonLog: TunnelLog = (event, fields = {}) => {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + "\n");
};

/** Starts the runner: config file, key, Docker, sandbox image, orphan cleanup, then the tunnel. */
export async function startRunner(config: RunnerConfig, log: TunnelLog = jsonLog): Promise<RunningRunner> {
  const file = await loadRunnerFile(config.configPath, config.configExplicit);
  // Checked before anything starts, so a non-loopback DRAWBRIDGE_HOME_MODEL_URL is refused at load.
  const homeModel = homeModelSettings(file.model);
  const key = await loadRunnerKey(config.keyPath);
  const docker = engineClient();
  try {
    await docker.ping();
  } catch {
    throw new SandboxError("the Docker engine is not reachable; start it (e.g. `sudo systemctl start docker`) or set DOCKER_HOST");
  }
  const image = config.image ?? SANDBOX_IMAGE;
  if (await ensureSandboxImage(docker, { image })) log("sandbox.image_built", { image });
  // The local floor, the audit log, and the sandbox (orphans removed, reaper and warm pool started).
  const tools = await startTools(file, { docker, image, runner: config.runner, stateDir: config.stateDir, log });
  // Every call must carry the pinned gateway's capability; the journal makes execution at-most-once.
  const gatewayKey = await loadPinnedGatewayKey(config.stateDir);
  const { journal, interrupted } = await CallJournal.open(journalPath(config.stateDir, config.runner));
  if (interrupted.length > 0) log("journal.interrupted_calls", { ids: interrupted });
  const client = new TunnelClient({
    gatewayUrl: config.gatewayUrl,
    runner: config.runner,
    loadKey: () => loadRunnerKey(config.keyPath),
    journal,
    verifyCall: (call) => checkCapability(call, config.runner, gatewayKey),
    runCall: (call, signal) => dispatchCall(tools.host, call, signal),
    log,
    auditRefusal: async (call, reason) => tools.host.audit?.record(auditRefusal(call, reason)),
    relayModel: (request) => relayModelRequest(request, { settings: homeModel, audit: async (event) => tools.host.audit?.record(event) }),
  });
  const stop = async () => {
    await client.stop();
    await journal.close();
    await tools.stop();
    log("runner.stopped", { runner: config.runner });
  };
  // Without a journal it can write, the runner cannot keep a call at most once or its result
  // safe: it stops serving (containers removed) and exits non-zero with one line saying why.
  journal.failed
    .then(async (error) => {
      log("journal.failed", { path: error.path, message: error.message });
      await stop().catch((stopError: unknown) => log("runner.stop_failed", { message: String(stopError) }));
      process.stderr.write(`drawbridge: ${error.message}\n`);
      process.exit(1);
    })
    .catch(() => process.exit(1));
  client.start();
  log("runner.started", { runner: config.runner, kid: key.kid, gateway: config.gatewayUrl, homeModel: homeModel?.baseUrl ?? null });
  return { client, stop };
}
