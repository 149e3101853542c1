import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRunnerFile } from "../../runner/floor/load-runner-file.js";
import { HostileGateway } from "../support/hostile-gateway.js";
import { runnerProcessAgainst } from "../support/runner-process.js";

// Issue 12, the home: provider: the real runner process relays a gateway's model_request to an
// OpenAI-compatible server on its own loopback and answers with a model_response.
const runner = `model-${randomBytes(4).toString("hex")}`;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const gateway = new HostileGateway();
const log: string[] = [];
const secretInEnv = `runner-env-secret-${randomBytes(8).toString("hex")}`;
const requestMarker = `request-marker-${randomBytes(8).toString("hex")}`;
const answerMarker = `answer-marker-${randomBytes(8).toString("hex")}`;

type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: string };
const seen: Seen[] = [];

/** A tiny OpenAI-compatible model server on 127.0.0.1, with one route that redirects elsewhere. */
const modelServer = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString() });
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (request.url === "/v1/chat/completions" && request.method === "POST") {
      return json(200, {
        id: "chatcmpl-1",
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: answerMarker } }],
      });
    }
    if (request.url === "/v1/models") {
      // A model server that points elsewhere must not take the relay with it.
      return response.writeHead(302, { location: `http://127.0.0.1:${port()}/v1/elsewhere` }).end();
    }
    json(404, { error: "no such route" });
  });
});
const port = () => (modelServer.address() as AddressInfo).port;
const runnerConfig = { model: { baseUrl: "" } };

beforeAll(async () => {
  await new Promise<void>((resolve) => modelServer.listen(0, "127.0.0.1", resolve));
  // Filled in before the runner's own beforeAll writes runner.json.
  runnerConfig.model.baseUrl = `http://127.0.0.1:${port()}/v1`;
});
afterAll(async () => {
  modelServer.closeAllConnections();
  await new Promise<void>((resolve) => modelServer.close(() => resolve()));
});

const runnerProcess = runnerProcessAgainst(gateway, {
  runner,
  gatewayJwk,
  log,
  runnerConfig,
  env: { DRAWBRIDGE_TEST_SECRET: secretInEnv },
});

async function modelResponse(id: string) {
  for (;;) {
    const frame = await gateway.next("model_response");
    if (frame.id === id) return frame;
  }
}

describe("the runner relays model requests to its loopback model server", () => {
  it("forwards a chat completion and sends the model's answer back; nothing of the runner's goes with it", async () => {
    const body = JSON.stringify({ model: "qwen2.5:7b", messages: [{ role: "user", content: requestMarker }] });
    gateway.send({ type: "model_request", id: "model_chat_1", method: "POST", path: "/chat/completions", body, timeoutMs: 10_000 });
    const frame = await modelResponse("model_chat_1");
    expect(frame).toMatchObject({ reply: { ok: true, status: 200, contentType: "application/json" } });
    const reply = frame.reply as { body: string };
    expect(JSON.parse(reply.body)).toMatchObject({ choices: [{ message: { content: answerMarker } }] });
    const request = seen.find((s) => s.url === "/v1/chat/completions");
    expect(request).toMatchObject({ method: "POST", body });
    expect(request?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(request)).not.toContain(secretInEnv);
  });

  it("does not follow a redirect: the gateway is told, and the redirect's target is never asked", async () => {
    gateway.send({ type: "model_request", id: "model_list_1", method: "GET", path: "/models", body: "", timeoutMs: 10_000 });
    expect(await modelResponse("model_list_1")).toMatchObject({
      reply: { ok: false, error: { code: "model_refused", message: expect.stringMatching(/redirect.*not followed/) } },
    });
    expect(seen.filter((s) => s.url === "/v1/elsewhere")).toEqual([]);
  });

  it("writes one audit line per relayed request with path, status, bytes and duration, never a body", async () => {
    const path = join(runnerProcess.stateDir, "audit.jsonl");
    let lines: Array<Record<string, unknown>> = [];
    for (let attempt = 0; attempt < 50 && lines.length < 2; attempt++) {
      const text = await readFile(path, "utf8");
      lines = text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.event === "model.relayed");
      if (lines.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(lines).toEqual([
      expect.objectContaining({
        id: "model_chat_1",
        method: "POST",
        path: "/chat/completions",
        status: 200,
        bytes: expect.any(Number),
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({
        id: "model_list_1",
        method: "GET",
        path: "/models",
        error: "model_refused",
        durationMs: expect.any(Number),
      }),
    ]);
    const all = await readFile(path, "utf8");
    expect(all).not.toContain(requestMarker);
    expect(all).not.toContain(answerMarker);
  });
});

describe("the model server's address is checked when runner.json is loaded", () => {
  it("accepts loopback addresses and refuses any other host unless model.allowNonLoopback is set", () => {
    for (const baseUrl of ["http://127.0.0.1:11434/v1", "http://127.8.9.10:8080/v1", "http://[::1]:1234/v1", "http://localhost:1234/v1"]) {
      expect(parseRunnerFile({ model: { baseUrl } }).model.baseUrl).toBe(baseUrl);
    }
    for (const baseUrl of [
      "http://192.168.1.20:11434/v1",
      "http://localhost.example.com/v1",
      "http://[::ffff:10.0.0.1]/v1",
      "http://169.254.169.254/v1",
    ]) {
      expect(() => parseRunnerFile({ model: { baseUrl } })).toThrow(
        /model\.baseUrl: must be on this machine's loopback.*model\.allowNonLoopback/,
      );
    }
    expect(parseRunnerFile({ model: { baseUrl: "http://192.168.1.20:11434/v1", allowNonLoopback: true } }).model.baseUrl).toBe(
      "http://192.168.1.20:11434/v1",
    );
    expect(() => parseRunnerFile({ model: { baseUrl: "http://user:pw@127.0.0.1:11434/v1" } })).toThrow(/user name or password/);
  });

  it.each([
    ["runner.json model.baseUrl", { model: { baseUrl: "http://10.0.0.7:11434/v1" } }, {}],
    ["DRAWBRIDGE_HOME_MODEL_URL", {}, { DRAWBRIDGE_HOME_MODEL_URL: "http://10.0.0.7:11434/v1" }],
  ])("a runner process whose %s is not on loopback refuses to start, saying why", async (_what, file, env) => {
    const stateDir = await mkdtemp(join(tmpdir(), "drawbridge-model-refused-"));
    try {
      const config = join(stateDir, "runner.json");
      await writeFile(config, JSON.stringify(file));
      const cli = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
      const child = spawn(process.execPath, ["--import", "tsx", cli, "runner"], {
        env: {
          ...process.env,
          ...env,
          DRAWBRIDGE_STATE_DIR: stateDir,
          DRAWBRIDGE_RUNNER_CONFIG: config,
          DRAWBRIDGE_GATEWAY_URL: "http://127.0.0.1:9",
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/must be on this machine's loopback \(127\.0\.0\.0\/8, ::1 or localhost\), not 10\.0\.0\.7/);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
