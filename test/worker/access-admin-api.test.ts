import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { redact } from "../../worker/audit/redact.js";
import { recordAudit } from "../../worker/audit/record-audit.js";
import { AllowList } from "../../shared/admin-api.js";
import { ErrorBody } from "../../shared/wire-error.js";
import { readError, readJson } from "../support/read-json.js";
import { GateHarness } from "./gate-harness.js";
import { newBotId, newUserId } from "./test-ids.js";

const ROUTES: Array<[string, string, unknown?]> = [
  ["GET", "/api/pairing/telegram"],
  ["POST", "/api/pairing/telegram/approve", { code: "ABCDEFGH" }],
  ["POST", "/api/pairing/telegram/deny", { code: "ABCDEFGH" }],
  ["GET", "/api/allow/telegram"],
  ["DELETE", "/api/allow/telegram/123"],
  ["PUT", "/api/allow/telegram/123", { role: "trusted" }],
  ["GET", "/api/audit?limit=5"],
];

describe("admin API for access control (acceptance 9)", () => {
  const [botId, owner] = [newBotId(), newUserId()];
  const gate = new GateHarness(botId, owner);

  it("answers 401 without a token or with a wrong one, and changes nothing", async () => {
    for (const [method, path, body] of ROUTES) {
      for (const token of [null, `${env.GATEWAY_TOKEN}x`, ""]) {
        const response = await gate.api(method, path, body, token);
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(await readJson(response, ErrorBody)).toEqual({ error: { code: "unauthorized", message: "missing or wrong bearer token" } });
      }
    }
    const listed = await readJson(await gate.api("GET", "/api/allow/telegram"), AllowList);
    expect(listed.allowed).toEqual([]);
  });

  it("answers 503 naming GATEWAY_TOKEN when it is unset", async () => {
    const unset = new GateHarness(botId, owner);
    (unset.env as { GATEWAY_TOKEN?: string }).GATEWAY_TOKEN = undefined;
    for (const [method, path, body] of ROUTES) {
      const response = await unset.api(method, path, body);
      expect(response.status).toBe(503);
      const error = await readError(response);
      expect(error).toMatchObject({ code: "secret_missing", message: expect.stringContaining("wrangler secret put GATEWAY_TOKEN") });
    }
  });

  it("answers 404 for a channel without access control and 400 for bad bodies", async () => {
    expect((await gate.api("GET", "/api/pairing/whatsapp")).status).toBe(404);
    expect((await gate.api("POST", "/api/pairing/telegram/approve", { code: 42 })).status).toBe(400);
    expect((await gate.api("POST", "/api/pairing/telegram/approve", { code: "ABCDEFGH", extra: true })).status).toBe(400);
    expect((await gate.api("PUT", "/api/allow/telegram/123", { role: "admin" })).status).toBe(400);
    expect((await gate.api("GET", "/api/audit?limit=0")).status).toBe(400);
  });
});

describe("GET /api/audit redacts secrets", () => {
  const gate = new GateHarness(newBotId(), newUserId());

  it("never returns a bot token, bearer token, key, *_TOKEN= assignment or PEM block", async () => {
    const actor = newUserId();
    const secrets = [
      "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
      "Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJob21lIn0.c2lnbmF0dXJl",
      "GATEWAY_TOKEN=s3cr3t-value-123",
      "sk-abcdefghijklmnopqrstuvwx",
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBn0\n-----END PRIVATE KEY-----",
    ];
    await recordAudit(env, {
      kind: "permission.denied",
      channel: "telegram",
      actor: `telegram:${actor}`,
      detail: { note: secrets.join(" | ") },
    });
    const body = await (await gate.api("GET", "/api/audit?limit=20")).text();
    expect(body).toContain(`telegram:${actor}`);
    for (const secret of [
      "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
      "eyJhbGciOiJFZERTQSJ9",
      "s3cr3t-value-123",
      "sk-abcdefghijklmnop",
      "MC4CAQAwBQYDK2VwBCIEIBn0",
    ]) {
      expect(body).not.toContain(secret);
    }
    expect(body).toContain("GATEWAY_TOKEN=[REDACTED]");
  });

  it("redacts each shape on its own", () => {
    expect(redact("token 123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789 end")).toBe("token [REDACTED:bot-token] end");
    expect(redact("Authorization: Bearer abc.def.ghi")).toBe("Authorization: Bearer [REDACTED]");
    expect(redact("export TELEGRAM_BOT_TOKEN='x1'")).toBe("export TELEGRAM_BOT_TOKEN='[REDACTED]'");
    expect(redact('{"kty":"OKP","d":"privatepart","x":"public"}')).toBe('{"kty":"OKP","d":"[REDACTED]","x":"public"}');
    expect(redact("-----BEGIN RSA PRIVATE KEY-----\nabc")).toBe("[REDACTED:pem]");
    expect(redact("ls -la /tmp")).toBe("ls -la /tmp");
  });
});
