import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateRunnerKey } from "../../runner/identity/runner-key.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { HostileGateway, type Frame } from "../support/hostile-gateway.js";
import { runnerProcessAgainst } from "../support/runner-process.js";
import { GatewayCalls } from "../support/signed-call.js";

/**
 * The Docker engine as the runner reaches it, through a Unix-socket relay to the real engine that
 * the test can cut and restore: an engine that stops answering while the runner is up.
 */
class EngineRelay {
  readonly path = join(tmpdir(), `drawbridge-engine-${randomBytes(4).toString("hex")}.sock`);
  private server: Server | null = null;
  private readonly open = new Set<Socket>();

  async up(): Promise<void> {
    rmSync(this.path, { force: true });
    this.server = createServer((client) => {
      const engine = createConnection("/var/run/docker.sock");
      for (const socket of [client, engine]) {
        this.open.add(socket);
        socket.on("close", () => this.open.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.path, resolve));
  }

  /** Every connection cut and the socket gone, as when the engine stops. */
  async down(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.path, { force: true });
  }
}

const runner = `outage-${randomBytes(4).toString("hex")}`;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const gateway = new HostileGateway();
const calls = new GatewayCalls(gatewayJwk, runner);
const log: string[] = [];
const relay = new EngineRelay();
// Registered before the runner: up before it starts, down only after it stopped and removed its containers.
beforeAll(() => relay.up());
afterAll(() => relay.down());
runnerProcessAgainst(gateway, { runner, gatewayJwk, log, sandboxImage: true, env: { DOCKER_HOST: `unix://${relay.path}` } });

async function run(request: ToolRequest): Promise<Frame> {
  const frame = await calls.frame("outage", request, 20_000);
  gateway.send(frame);
  for (;;) {
    const result = await gateway.next("result", 60_000);
    if (result.id === frame.id) return result;
  }
}

describe("the Docker engine is not reachable", () => {
  it("while the runner is up: exec gets a clear sandbox error, file tools keep working, and exec recovers when the engine is back", async () => {
    expect(await run({ tool: "exec", args: { command: "echo before" } })).toMatchObject({
      outcome: { ok: true, output: { stdout: "before\n", exitCode: 0 } },
    });

    await relay.down();
    const during = await run({ tool: "exec", args: { command: "echo during" } });
    expect(during).toMatchObject({
      outcome: { ok: false, error: { code: "sandbox_unavailable", message: expect.stringMatching(/the Docker engine is not reachable/) } },
    });
    // The workspace is on disk, not in Docker: file tools still work.
    expect(await run({ tool: "write", args: { path: "note.txt", content: "kept" } })).toMatchObject({ outcome: { ok: true } });
    expect(await run({ tool: "read", args: { path: "note.txt" } })).toMatchObject({ outcome: { ok: true, output: { content: "kept" } } });

    await relay.up();
    expect(await run({ tool: "exec", args: { command: "cat /workspace/note.txt" } })).toMatchObject({
      outcome: { ok: true, output: { stdout: "kept", exitCode: 0 } },
    });
    // The runner process itself never went down.
    expect(log.some((line) => line.includes('"event":"runner.stopped"'))).toBe(false);
  }, 120_000);

  it("a runner started without a reachable engine refuses to start and says how to fix it", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "drawbridge-no-engine-"));
    await generateRunnerKey(join(stateDir, "runner-key.json"));
    const cli = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
    const child = spawn(process.execPath, ["--import", "tsx", cli, "runner"], {
      env: {
        ...process.env,
        DRAWBRIDGE_STATE_DIR: stateDir,
        DRAWBRIDGE_RUNNER_NAME: `${runner}-none`,
        DRAWBRIDGE_GATEWAY_URL: "http://127.0.0.1:9",
        DOCKER_HOST: `unix://${join(stateDir, "no-engine.sock")}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    await rm(stateDir, { recursive: true, force: true });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/the Docker engine is not reachable; start it/);
  }, 60_000);
});
