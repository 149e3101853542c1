import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { bundleRunner, RUNNER_NODE_FLAGS } from "../../runner/bundle/bundle-runner.js";
import { AdminClient } from "../../runner/cli/admin-client.js";
import { registerRunner } from "../../runner/identity/registration.js";
import { generateRunnerKey } from "../../runner/identity/runner-key.js";
import { stopChild } from "../../runner/local-stack/child-process.js";
import { startLocalGateway, type LocalGateway } from "../../runner/local-stack/local-gateway.js";
import { ensureLocalSecrets, type LocalSecrets } from "../../runner/local-stack/local-secrets.js";
import { BotApiStandIn } from "./bot-api-standin.js";
import { freePort } from "./free-port.js";
import { snapshotWorkerSource } from "./worker-snapshot.js";

export const OWNER_ID = 111_111_111;
export const STRANGER_ID = 999_999_999;

/**
 * The real stack for end-to-end tests: the Worker in workerd (`wrangler dev`), the runner
 * as its own Node process against the real Docker engine, and the Bot API stand-in.
 * Each stack has its own state dir and runner name, so stacks never share containers.
 */
export class TestStack {
  readonly botApi = new BotApiStandIn();
  readonly runnerName = `e2e-${randomBytes(4).toString("hex")}`;
  readonly runnerLog: string[] = [];
  private stateDir = "";
  private runnerBundle = "";
  private gateway: LocalGateway | null = null;
  private runner: ChildProcess | null = null;
  private gatewayOptions: Parameters<typeof startLocalGateway>[0] | null = null;
  secrets!: LocalSecrets;

  /** `vars` go into the gateway's env file (e.g. DRAWBRIDGE_ACCESS); `runnerConfig` becomes the runner's runner.json. */
  constructor(private readonly options: { vars?: Record<string, string>; runnerConfig?: unknown } = {}) {}

  /** The runner process's pid while it runs (for footprint measurements). */
  get runnerPid(): number | undefined {
    return this.runner?.pid;
  }

  /** Where the runner keeps its private workspaces (sandbox.workspaceAccess "none"): the only place its sandboxes may mount. */
  get privateWorkspaces(): string {
    if (!this.stateDir) throw new Error("stack not started");
    return join(this.stateDir, "sandboxes", this.runnerName);
  }

  get url(): string {
    if (!this.gateway) throw new Error("stack not started");
    return this.gateway.url;
  }

  async start(): Promise<void> {
    this.stateDir = await mkdtemp(join(tmpdir(), "drawbridge-e2e-"));
    const apiRoot = await this.botApi.start();
    const { secrets, envFile } = await ensureLocalSecrets(
      this.stateDir,
      { TELEGRAM_API_ROOT: apiRoot, DRAWBRIDGE_OWNER: `telegram:${OWNER_ID}`, TELEGRAM_BOT_TOKEN: "123456:e2e-test-token" },
      { DEFAULT_RUNNER: this.runnerName, ...this.options.vars },
    );
    if (this.options.runnerConfig !== undefined) {
      await writeFile(join(this.stateDir, "runner.json"), JSON.stringify(this.options.runnerConfig), { mode: 0o600 });
    }
    this.secrets = secrets;
    this.gatewayOptions = {
      port: await freePort(),
      envFile,
      persistDir: join(this.stateDir, "wrangler-state"),
      sourceDir: await snapshotWorkerSource(this.stateDir),
    };
    this.gateway = await startLocalGateway(this.gatewayOptions);
    // Like the Worker, the runner is built once per stack: the bundled runner `npm start` runs, from a snapshot.
    this.runnerBundle = await bundleRunner(join(this.stateDir, "runner.mjs"));
    const key = await generateRunnerKey(join(this.stateDir, "runner-key.json"));
    await registerRunner(this.admin(), this.stateDir, this.runnerName, key);
    await this.startRunner();
  }

  admin(token = this.secrets.GATEWAY_TOKEN): AdminClient {
    return new AdminClient(this.url, token);
  }

  async startRunner(): Promise<void> {
    const child = spawn(process.execPath, [...RUNNER_NODE_FLAGS, this.runnerBundle], {
      env: {
        ...process.env,
        DRAWBRIDGE_STATE_DIR: this.stateDir,
        DRAWBRIDGE_GATEWAY_URL: this.url,
        DRAWBRIDGE_RUNNER_NAME: this.runnerName,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.runner = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`runner not ready: ${this.runnerLog.join("\n")}`)), 60_000);
      child.once("exit", (code) => reject(new Error(`runner exited (${code}): ${this.runnerLog.join("\n")}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        this.runnerLog.push(line);
        if (line.includes('"event":"tunnel.ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  async stopRunner(): Promise<void> {
    await stopChild(this.runner ?? undefined);
    this.runner = null;
  }

  /** Kills the runner without warning (a crash or power cut): no cleanup, no goodbye frame. */
  async killRunner(): Promise<void> {
    await stopChild(this.runner ?? undefined, "SIGKILL");
    this.runner = null;
  }

  /** Restarts the Worker on the same port with the same persisted storage, as a deploy does. */
  async restartGateway(): Promise<void> {
    if (!this.gatewayOptions) throw new Error("stack not started");
    await stopChild(this.gateway?.child, "SIGINT");
    this.gateway = await startLocalGateway(this.gatewayOptions);
  }

  /** An admin API call, for routes the CLI client has no method for. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.secrets.GATEWAY_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  /** Calls the runner has started, as it logged them. */
  runnerCalls(): string[] {
    return this.runnerLog.filter((line) => line.includes('"event":"call.started"'));
  }

  /** Posts a Telegram update to the webhook, with the right secret unless told otherwise. */
  postUpdate(update: unknown, secret: string | null = this.secrets.TELEGRAM_WEBHOOK_SECRET): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
    return fetch(`${this.url}/telegram/webhook`, { method: "POST", headers, body: JSON.stringify(update) });
  }

  async stop(): Promise<void> {
    await this.stopRunner();
    // wrangler dev shuts down cleanly on Ctrl-C; SIGTERM makes its esbuild child dump goroutines.
    await stopChild(this.gateway?.child, "SIGINT");
    await this.botApi.stop();
    if (this.stateDir) await rm(this.stateDir, { recursive: true, force: true });
  }
}

let updateId = 1000;

/** A private-chat text message from `fromId`, as Telegram would post it. */
export function textUpdate(fromId: number, text: string): unknown {
  updateId += 1;
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      from: { id: fromId, is_bot: false, first_name: "Test" },
      chat: { id: fromId, type: "private", first_name: "Test" },
      text,
    },
  };
}
