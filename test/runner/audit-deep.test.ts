import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatusList } from "../../shared/admin-api.js";
import { AuditReport } from "../../shared/audit-report.js";
import { checkServedSecrets } from "../../runner/cli/audit/gateway-checks.js";
import { hardeningProblems } from "../../runner/cli/audit/sandbox-hardening.js";
import { LABEL, sandboxContainerSpec } from "../../runner/sandbox/container-spec.js";
import { SANDBOX_IMAGE } from "../../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../../runner/sandbox/sandbox-runtime.js";
import { TestStack } from "../support/test-stack.js";

const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
const WEAK_TOKEN = "drawbridge-admin-1";
const docker = new Docker();
const weakRunner = `audit-weak-${randomBytes(3).toString("hex")}`;

// The real gateway in workerd with a weak token and open DMs, and its runner, stopped once registered.
const stack = new TestStack({
  env: { GATEWAY_TOKEN: WEAK_TOKEN },
  vars: { DRAWBRIDGE_ACCESS: JSON.stringify({ dmPolicy: "open", allowFrom: ["*"] }) },
});
let telegram: Server;
let telegramRoot = "";
const containers: Docker.Container[] = [];

beforeAll(async () => {
  // The Bot API's getWebhookInfo, answering that the webhook is this gateway's: telegram.webhook stays quiet.
  telegram = createServer((request, response) => {
    const ok = /^\/bot[^/]+\/getWebhookInfo$/.test(request.url ?? "");
    const result = { url: `${stack.url}/telegram/webhook`, has_custom_certificate: false, pending_update_count: 0 };
    response
      .writeHead(ok ? 200 : 404, { "content-type": "application/json" })
      .end(JSON.stringify(ok ? { ok: true, result } : { ok: false }));
  });
  await new Promise<void>((resolve) => telegram.listen(0, "127.0.0.1", resolve));
  telegramRoot = `http://127.0.0.1:${(telegram.address() as AddressInfo).port}`;
  await stack.start();
  await stack.stopRunner();
}, 240_000);

afterAll(async () => {
  for (const container of containers) await container.remove({ force: true }).catch(() => undefined);
  await new Promise((resolve) => telegram.close(resolve));
  await stack.stop();
});

function auditDeep(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cliEntry, "audit", "--deep", "--json"],
      {
        env: {
          PATH: process.env.PATH ?? "",
          DRAWBRIDGE_STATE_DIR: dirname(stack.stateFile("runner-key.json")),
          DRAWBRIDGE_GATEWAY_URL: stack.url,
          GATEWAY_TOKEN: WEAK_TOKEN,
          TELEGRAM_API_ROOT: telegramRoot,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function waitOffline(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await stack.read(StatusList, "GET", "/api/status");
    if (status.runners.some((runner) => runner.runner === stack.runnerName && !runner.connected)) return;
    if (Date.now() > deadline) throw new Error(`runner still connected: ${JSON.stringify(status.runners)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("drawbridge audit --deep against a real local gateway", () => {
  it("reports the disconnected runner, the weak token, the served open DMs and an unhardened sandbox container; exit 1", async () => {
    await waitOffline();
    // A container wearing the sandbox's labels but none of its hardening (as if made by hand).
    const weak = await docker.createContainer({
      Image: SANDBOX_IMAGE,
      Cmd: ["/bin/sleep", "600"],
      name: `drawbridge-${weakRunner}`,
      Labels: { [LABEL.managed]: "true", [LABEL.runner]: weakRunner, [LABEL.scope]: "audit" },
      HostConfig: { NetworkMode: "bridge", CapAdd: ["NET_ADMIN"] },
    });
    containers.push(weak);
    await weak.start();

    const result = await auditDeep();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const report = AuditReport.parse(JSON.parse(result.stdout));
    const byId = (id: string) => report.findings.filter((finding) => finding.id === id);

    expect(byId("tunnel.runner_offline")[0]?.detail).toContain(`${stack.runnerName} (last seen`);
    expect(byId("gateway.token_weak")[0]).toMatchObject({ severity: "critical" });
    expect(byId("gateway.token_weak")[0]?.detail).toContain(`is ${WEAK_TOKEN.length} characters`);
    expect(byId("access.open_dms").some((finding) => finding.detail.includes("the config the gateway serves"))).toBe(true);
    const hardening = byId("sandbox.hardening")[0];
    expect(hardening?.severity).toBe("critical");
    expect(hardening?.detail).toContain(`drawbridge-${weakRunner}: network bridge (want none)`);
    expect(hardening?.detail).toContain("capabilities added (NET_ADMIN)");
    // The test stack sets every secret, the socket is root:docker, and the webhook is this gateway's.
    for (const quiet of ["gateway.secrets_missing", "docker.socket_exposed", "telegram.webhook"]) expect(byId(quiet)).toEqual([]);
    expect(result.stdout).not.toContain(WEAK_TOKEN);
    expect(result.stdout).not.toContain(stack.secrets.TELEGRAM_BOT_TOKEN);
  }, 120_000);

  it("a container made from the runner's own spec passes the hardening list", async () => {
    const spec = sandboxContainerSpec({
      image: SANDBOX_IMAGE,
      runner: weakRunner,
      scope: "spec",
      limits: DEFAULT_LIMITS,
      name: `drawbridge-${weakRunner}-spec`,
    });
    const container = await docker.createContainer(spec);
    containers.push(container);
    expect(hardeningProblems(await container.inspect())).toEqual([]);
  }, 60_000);

  it("gateway.secrets_missing names what the served gateway lacks (never a value), and the model key only for keyed providers", () => {
    const status = StatusList.parse({
      runners: [],
      model: "openai:gpt-test",
      secrets: { TELEGRAM_BOT_TOKEN: true, TELEGRAM_WEBHOOK_SECRET: false, GATEWAY_SIGNING_KEY: true, DRAWBRIDGE_MODEL_API_KEY: false },
    });
    const [finding] = checkServedSecrets(status, "https://gw.example");
    expect(finding).toMatchObject({ id: "gateway.secrets_missing", severity: "warn" });
    expect(finding?.detail).toContain("has no TELEGRAM_WEBHOOK_SECRET, DRAWBRIDGE_MODEL_API_KEY");
    expect(
      checkServedSecrets({ ...status, model: "home:llama", secrets: { ...status.secrets, TELEGRAM_WEBHOOK_SECRET: true } }, "x"),
    ).toEqual([]);
  });
});
