import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { executionContext } from "./execution-context.js";
import { app } from "../../worker/app.js";
import { readError } from "../support/read-json.js";
import { ConsoleReply } from "../../shared/admin-api.js";
import { ErrorBody } from "../../shared/wire-error.js";
import { readJson } from "../support/read-json.js";

const bearer = { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-type": "application/json" };

describe("GET /healthz", () => {
  it("answers ok and a version, and nothing about config or secrets", async () => {
    const response = await SELF.fetch("http://gateway/healthz");
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ ok: true, version: expect.any(String) });
    expect(body).not.toContain(env.GATEWAY_TOKEN!);
  });
});

describe("admin API authentication", () => {
  it("refuses a missing, malformed or wrong bearer token with 401", async () => {
    for (const authorization of [undefined, "Basic abc", `Bearer ${env.GATEWAY_TOKEN}x`, "Bearer "]) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization) headers.authorization = authorization;
      const response = await SELF.fetch("http://gateway/api/messages", {
        method: "POST",
        headers,
        body: JSON.stringify({ text: "/help" }),
      });
      expect(response.status).toBe(401);
      expect(await readJson(response, ErrorBody)).toEqual({ error: { code: "unauthorized", message: "missing or wrong bearer token" } });
    }
  });

  it("answers 503 naming GATEWAY_TOKEN and the command that sets it when it is unset", async () => {
    const response = await app.request(
      "/api/messages",
      { method: "POST", headers: bearer, body: "{}" },
      { ...env, GATEWAY_TOKEN: undefined },
      executionContext,
    );
    expect(response.status).toBe(503);
    const error = await readError(response);
    expect(error.code).toBe("secret_missing");
    expect(error.message).toContain("wrangler secret put GATEWAY_TOKEN");
  });

  it("answers 404 as JSON for unknown routes", async () => {
    const response = await SELF.fetch("http://gateway/nope");
    expect(response.status).toBe(404);
    expect(await readJson(response, ErrorBody)).toEqual({ error: { code: "not_found", message: "no such route" } });
  });
});

describe("POST /telegram/webhook", () => {
  const update = {
    update_id: 1,
    message: { message_id: 1, from: { id: 111111111 }, chat: { id: 111111111, type: "private" }, text: "/help" },
  };
  const post = (headers: Record<string, string>, body: string, bindings: Partial<Env> = {}) =>
    app.request(
      "/telegram/webhook",
      { method: "POST", headers: { "content-type": "application/json", ...headers }, body },
      { ...env, ...bindings },
      executionContext,
    );

  it("answers 503 naming each missing Telegram secret", async () => {
    for (const name of ["TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_BOT_TOKEN"] as const) {
      const response = await post({ "x-telegram-bot-api-secret-token": env.TELEGRAM_WEBHOOK_SECRET! }, JSON.stringify(update), {
        [name]: "",
      });
      expect(response.status).toBe(503);
      expect((await readError(response)).message).toContain(`wrangler secret put ${name}`);
    }
  });

  it("refuses a wrong secret before reading the body", async () => {
    const response = await post({ "x-telegram-bot-api-secret-token": "guess" }, "not even json");
    expect(response.status).toBe(401);
  });

  it("answers 400 to a body that is not an update, and 413 to an oversized one", async () => {
    const secret = { "x-telegram-bot-api-secret-token": env.TELEGRAM_WEBHOOK_SECRET! };
    expect((await post(secret, "{not json")).status).toBe(400);
    expect((await post(secret, JSON.stringify({ hello: "world" }))).status).toBe(400);
    expect((await post(secret, JSON.stringify({ ...update, pad: "x".repeat(300 * 1024) }))).status).toBe(413);
  });

  it("refuses to serve when the owner is not configured, naming DRAWBRIDGE_OWNER", async () => {
    for (const owner of ["", "@someone", "telegram:alice"]) {
      const response = await post({ "x-telegram-bot-api-secret-token": env.TELEGRAM_WEBHOOK_SECRET! }, JSON.stringify(update), {
        DRAWBRIDGE_OWNER: owner,
      });
      expect(response.status).toBe(503);
      const error = await readError(response);
      expect(error.code).toBe("config_invalid");
      expect(error.message).toMatch(/^DRAWBRIDGE_OWNER/);
    }
  });
});

describe("console channel (POST /api/messages)", () => {
  const send = async (text: unknown) =>
    SELF.fetch("http://gateway/api/messages", { method: "POST", headers: bearer, body: JSON.stringify({ text }) });

  it("says the home runner is offline instead of hanging when none is connected", async () => {
    const response = await send("/run echo hi");
    expect(response.status).toBe(200);
    expect((await readJson(response, ConsoleReply)).reply).toMatch(/home runner is offline/i);
  });

  it("answers /help and unknown commands without touching a runner", async () => {
    expect((await readJson(await send("/help"), ConsoleReply)).reply).toContain("/run <command>");
    expect((await readJson(await send("/frobnicate"), ConsoleReply)).reply).toContain("Unknown command /frobnicate");
    expect((await readJson(await send("/run"), ConsoleReply)).reply).toContain("Usage: /run");
  });

  it("answers 400 to an empty or malformed message", async () => {
    expect((await send("")).status).toBe(400);
    expect((await send(42)).status).toBe(400);
  });
});
