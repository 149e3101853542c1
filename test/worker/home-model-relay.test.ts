import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hubStub } from "../../worker/objects/stubs.js";
import { HOME_MODEL_BASE_URL, homeModelFetch } from "../../worker/tunnel/home-model-fetch.js";
import { PROTOCOL_VERSION } from "../../shared/tunnel/protocol.js";
import {
  connectRunner,
  consoleRun,
  execOutput,
  freshRunner,
  helloToken,
  newKey,
  register,
  TestSocket,
  type Frame,
  type Key,
} from "./tunnel-harness.js";

async function registered(prefix: string): Promise<{ runner: string; key: Key }> {
  const runner = freshRunner(prefix);
  const key = await newKey();
  expect((await register(runner, key)).status).toBe(201);
  return { runner, key };
}

const chat = JSON.stringify({ model: "qwen2.5:7b", messages: [{ role: "user", content: "what is in my workspace?" }] });
const completion = JSON.stringify({ id: "chatcmpl-1", choices: [{ index: 0, message: { role: "assistant", content: "Two files." } }] });

/** The model request the provider makes, with the API key header it always sends. */
function providerRequest(path: string, body?: string): [string, RequestInit] {
  return [
    `${HOME_MODEL_BASE_URL}${path}`,
    {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: "Bearer sk-edge-secret-must-stay", "content-type": "application/json" },
      body,
    },
  ];
}

describe("the model at home, relayed over the tunnel", () => {
  it("sends the chat request to the runner and answers with the model's reply; no header crosses", async () => {
    const { runner, key } = await registered("model-home");
    const { tunnel, welcome } = await connectRunner(runner, key);
    expect(welcome.version).toBe(PROTOCOL_VERSION);
    const answered = homeModelFetch(env, runner)(...providerRequest("/chat/completions", chat));
    const request = await tunnel.next();
    expect(request).toEqual({
      type: "model_request",
      id: expect.any(String),
      method: "POST",
      path: "/chat/completions",
      body: chat,
      timeoutMs: expect.any(Number),
    });
    expect(JSON.stringify(request)).not.toContain("sk-edge-secret");
    tunnel.send({
      type: "model_response",
      id: request.id,
      reply: { ok: true, status: 200, contentType: "application/json", body: completion },
    });
    const response = await answered;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe(completion);
  });

  it("lists the models with a GET, and passes the model server's own error status through", async () => {
    const { runner, key } = await registered("model-list");
    const { tunnel } = await connectRunner(runner, key);
    const listed = homeModelFetch(env, runner)(...providerRequest("/models"));
    const request = await tunnel.next();
    expect(request).toMatchObject({ method: "GET", path: "/models", body: "" });
    tunnel.send({
      type: "model_response",
      id: request.id,
      reply: { ok: true, status: 404, contentType: "application/json", body: '{"error":"model not found"}' },
    });
    const response = await listed;
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "model not found" });
  });

  it("answers an offline runner at once with the home_model_offline error, queueing nothing", async () => {
    const { runner } = await registered("model-offline");
    expect(await hubStub(env, runner).relayModel({ method: "POST", path: "/chat/completions", body: chat, timeoutMs: 60_000 })).toEqual({
      offline: true,
    });
    const response = await homeModelFetch(env, runner)(...providerRequest("/chat/completions", chat));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { code: "home_model_offline", message: `the home runner ${runner} is offline, so the model at home cannot answer` },
    });
    const status = await hubStub(env, runner).status(runner);
    expect(status).toMatchObject({ queueDepth: 0, inFlight: 0 });
  });

  it("tells a runner on protocol 2 it needs updating, and sends it nothing it cannot parse", async () => {
    const { runner, key } = await registered("model-old");
    const { tunnel, nonce } = await TestSocket.open(runner);
    tunnel.send({ type: "hello", version: 2, token: await helloToken(key, runner, nonce) });
    expect(await tunnel.next()).toMatchObject({ type: "welcome", version: 2 });
    const answer = await hubStub(env, runner).relayModel({ method: "POST", path: "/chat/completions", body: chat, timeoutMs: 60_000 });
    expect(answer).toEqual({ error: { code: "protocol_version", message: expect.stringMatching(/home model needs a newer runner/) } });
    const response = await homeModelFetch(env, runner)(...providerRequest("/chat/completions", chat));
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: "protocol_version" } });
    // The next frame the old runner sees is an ordinary call: no model_request went before it.
    const reply = consoleRun(runner, "echo still-v2");
    const call = await tunnel.next();
    expect(call).toMatchObject({ type: "call", seq: 1 });
    tunnel.send({ type: "ack", seq: 1 });
    tunnel.send({ type: "result", seq: 1, id: call.id, outcome: { ok: true, output: execOutput("still-v2") } });
    expect(await reply).toContain("still-v2");
  });

  it("ignores an answer for an id it never sent, and a forged answer does not settle the real request", async () => {
    const { runner, key } = await registered("model-forged");
    const { tunnel } = await connectRunner(runner, key);
    tunnel.send({
      type: "model_response",
      id: "model_never_sent",
      reply: { ok: true, status: 200, contentType: "text/plain", body: "forged" },
    });
    const answered = hubStub(env, runner).relayModel({ method: "POST", path: "/chat/completions", body: chat, timeoutMs: 60_000 });
    const request = await tunnel.next();
    tunnel.send({
      type: "model_response",
      id: `${String(request.id)}x`,
      reply: { ok: true, status: 200, contentType: "text/plain", body: "forged" },
    });
    tunnel.send({
      type: "model_response",
      id: request.id,
      reply: { ok: false, error: { code: "model_not_configured", message: "set model.baseUrl in runner.json" } },
    });
    expect(await answered).toEqual({ error: { code: "model_not_configured", message: "set model.baseUrl in runner.json" } });
    // The socket is still the runner's: a second request goes through.
    const again = hubStub(env, runner).relayModel({ method: "GET", path: "/models", body: "", timeoutMs: 60_000 });
    const second: Frame = await tunnel.next();
    tunnel.send({
      type: "model_response",
      id: second.id,
      reply: { ok: true, status: 200, contentType: "application/json", body: '{"data":[]}' },
    });
    expect(await again).toEqual({ status: 200, contentType: "application/json", body: '{"data":[]}' });
    expect(tunnel.closeCode).toBeNull();
  });

  it("answers a relay error as 502 with its code, and refuses any other path without asking the runner", async () => {
    const { runner, key } = await registered("model-paths");
    const { tunnel } = await connectRunner(runner, key);
    const fetchHome = homeModelFetch(env, runner);
    for (const path of ["/embeddings", "/chat/completions/../../api/pull", "/models?all=1"]) {
      const response = await fetchHome(...providerRequest(path, "{}"));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "bad_request" } });
    }
    const answered = fetchHome(...providerRequest("/chat/completions", chat));
    const request = await tunnel.next();
    expect(request.type).toBe("model_request");
    tunnel.send({
      type: "model_response",
      id: request.id,
      reply: { ok: false, error: { code: "model_unreachable", message: "nothing listens on 127.0.0.1:11434" } },
    });
    const response = await answered;
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: { code: "model_unreachable", message: "nothing listens on 127.0.0.1:11434" } });
  });

  it("answers a request whose runner disconnects mid-way as offline, not at the timeout", async () => {
    const { runner, key } = await registered("model-drop");
    const { tunnel } = await connectRunner(runner, key);
    const answered = hubStub(env, runner).relayModel({ method: "POST", path: "/chat/completions", body: chat, timeoutMs: 600_000 });
    expect((await tunnel.next()).type).toBe("model_request");
    tunnel.socket.close(1000, "runner stopping");
    expect(await answered).toEqual({ offline: true });
  });
});
