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
import type { z } from "zod";
import { readJson } from "./read-json.js";

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
  private botApiRoot = "";
  private runnerBundle = "";
  private gateway: LocalGateway | null = null;
  private runner: ChildProcess | null = null;
  private gatewayOptions: Parameters<typeof startLocalGateway>[0] | null = null;
  secrets!: LocalSecrets;

  /**
   * `vars` go into the gateway's env file (e.g. DRAWBRIDGE_ACCESS); `env` is the environment the env file is made
   * from, as `npm start`'s (e.g. DRAWBRIDGE_MODEL, DRAWBRIDGE_MODEL_API_KEY); `runnerConfig` becomes the runner's
   * runner.json and `runnerEnv` is added to the runner process's environment (e.g. DRAWBRIDGE_HOME_MODEL_URL).
   */
  constructor(
    private options: {
      vars?: Record<string, string>;
      env?: Record<string, string>;
      runnerConfig?: unknown;
      runnerEnv?: Record<string, string>;
    } = {},
  ) {}

  /** The runner process's pid while it runs (for footprint measurements). */
  get runnerPid(): number | undefined {
    return this.runner?.pid;
  }

  /** Where the runner keeps its private workspaces (sandbox.workspaceAccess "none"): the only place its sandboxes may mount. */
  get privateWorkspaces(): string {
    if (!this.stateDir) throw new Error("stack not started");
    return join(this.stateDir, "sandboxes", this.runnerName);
  }

  /** Settings known only once something else listens (a model stand-in's URL): merged into the constructor's, before start(). */
  configure(change: { vars?: Record<string, string>; env?: Record<string, string>; runnerEnv?: Record<string, string> }): void {
    this.options = { ...this.options, ...change };
  }

  /** A file in the stack's state dir (the runner's key, its audit log), on the host. */
  stateFile(name: string): string {
    if (!this.stateDir) throw new Error("stack not started");
    return join(this.stateDir, name);
  }

  get url(): string {
    if (!this.gateway) throw new Error("stack not started");
    return this.gateway.url;
  }

  async start(): Promise<void> {
    this.stateDir = await mkdtemp(join(tmpdir(), "drawbridge-e2e-"));
    this.botApiRoot = await this.botApi.start();
    const { secrets, envFile } = await this.writeEnvFile();
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

  /** The gateway's env file, made as `npm start` makes it: the stored secrets, the model settings in `env`, then `vars`. */
  private writeEnvFile(): ReturnType<typeof ensureLocalSecrets> {
    return ensureLocalSecrets(
      this.stateDir,
      {
        TELEGRAM_API_ROOT: this.botApiRoot,
        DRAWBRIDGE_OWNER: `telegram:${OWNER_ID}`,
        TELEGRAM_BOT_TOKEN: "123456:e2e-test-token",
        ...this.options.env,
      },
      { DEFAULT_RUNNER: this.runnerName, ...this.options.vars },
    );
  }

  /**
   * Restarts the Worker with other settings (same storage and secrets), as a redeploy with a changed
   * wrangler.toml does, and waits until the runner has dialled in again.
   */
  async reconfigureGateway(change: { vars?: Record<string, string>; env?: Record<string, string> }): Promise<void> {
    this.configure(change);
    await this.writeEnvFile();
    const from = this.runnerLog.length;
    await this.restartGateway();
    if (this.runner) await this.runnerReady(from);
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
        ...this.options.runnerEnv,
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

  /** Resolves once the runner logs tunnel.ready at or after line `from` of its log. */
  private async runnerReady(from: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!this.runnerLog.slice(from).some((line) => line.includes('"event":"tunnel.ready"'))) {
      if (Date.now() > deadline) throw new Error(`runner did not dial in again: ${this.runnerLog.slice(from).join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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
    const response = await this.adminFetch(method, path, body);
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  /** An admin API call whose answer is read with the schema the gateway answers with (shared/admin-api.ts). */
  async read<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.output<S>> {
    return readJson(await this.adminFetch(method, path, body), schema);
  }

  private adminFetch(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.secrets.GATEWAY_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
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
