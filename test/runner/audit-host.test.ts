import { randomBytes, randomInt } from "node:crypto";
import { chmod, chown, readFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createSocketServer, type Server as SocketServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkDockerSocket } from "../../runner/cli/audit/docker-socket.js";
import { checkTelegramWebhook } from "../../runner/cli/audit/telegram-webhook.js";
import { dirs, useAuditDirs } from "./support/audit-fixture.js";

// drawbridge audit: the host: the Docker socket and the Telegram webhook.
useAuditDirs();

describe("docker.socket_exposed", () => {
  let socket: SocketServer;
  let path: string;
  beforeEach(async () => {
    path = join(dirs.root, "docker.sock");
    socket = createSocketServer();
    await new Promise<void>((resolve) => socket.listen(path, resolve));
  });
  afterEach(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const env = () => ({ DOCKER_HOST: `unix://${path}` });

  it("a world-writable socket (0666) is critical", async () => {
    await chmod(path, 0o666);
    const [finding] = await checkDockerSocket(env());
    expect(finding).toMatchObject({ id: "docker.socket_exposed", severity: "critical" });
    expect(finding?.detail).toContain(`${path} is 0666`);
  });

  it("group-writable by a group that is neither docker nor root: warn", async () => {
    const groups = await readFile("/etc/group", "utf8");
    const other = groups
      .split("\n")
      .map((line) => line.split(":"))
      .find(([name, , gid]) => name && name !== "docker" && name !== "root" && Number(gid) > 0);
    await chown(path, 0, Number(other?.[2]));
    await chmod(path, 0o660);
    const [finding] = await checkDockerSocket(env());
    expect(finding).toMatchObject({ id: "docker.socket_exposed", severity: "warn" });
    expect(finding?.detail).toContain(`group ${other?.[0]}`);
  });

  it("quiet on root-owned 0660 (the usual root:docker is the deliberate grant) and on 0600", async () => {
    await chmod(path, 0o660);
    expect(await checkDockerSocket(env())).toEqual([]);
    await chmod(path, 0o600);
    expect(await checkDockerSocket(env())).toEqual([]);
  });
});

describe("telegram.webhook", () => {
  // Shaped like a bot token, made at run time: no token-looking string lives in the tree.
  const botToken = `${randomInt(7_000_000_000, 7_999_999_999)}:AA${randomBytes(24).toString("base64url")}`;
  let info: Record<string, unknown>;
  let server: Server;
  let apiRoot: string;
  const seen: string[] = [];

  beforeEach(async () => {
    info = { url: "https://gw.example/telegram/webhook", has_custom_certificate: false, pending_update_count: 0 };
    // The Bot API's wire format: GET /bot<token>/getWebhookInfo → {"ok":true,"result":WebhookInfo}.
    server = createHttpServer((request, response) => {
      seen.push(request.url ?? "");
      const ok = request.url === `/bot${botToken}/getWebhookInfo`;
      response
        .writeHead(ok ? 200 : 401, { "content-type": "application/json" })
        .end(JSON.stringify(ok ? { ok: true, result: info } : { ok: false, error_code: 401, description: "Unauthorized" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterAll(() => expect(seen.length).toBeGreaterThan(0));

  const check = (token = botToken) => checkTelegramWebhook({ apiRoot, botToken: token, gatewayUrl: "https://gw.example" });

  it("quiet when the webhook is ours with no errors or backlog", async () => {
    expect(await check()).toEqual([]);
  });

  it("fires when no webhook is set, or it points elsewhere (query dropped)", async () => {
    info.url = "";
    expect((await check())[0]?.detail).toContain("no webhook is set");
    info.url = "https://evil.example/hook?token=abc";
    const [finding] = await check();
    expect(finding?.detail).toContain("points at https://evil.example/hook, not https://gw.example/telegram/webhook");
    expect(finding?.detail).not.toContain("token=abc");
  });

  it("while npm start polls (DRAWBRIDGE_TELEGRAM_POLL=1): quiet without a webhook, fires when one is set", async () => {
    const polling = () => checkTelegramWebhook({ apiRoot, botToken, gatewayUrl: "https://gw.example", polling: true });
    expect((await polling())[0]?.detail).toContain("while npm start polls");
    info.url = "";
    expect(await polling()).toEqual([]);
  });

  it("fires on a recent 401 delivery error (a wrong secret_token) and on a backlog; never shows the bot token", async () => {
    info = {
      ...info,
      last_error_date: Math.floor(Date.now() / 1000) - 60,
      last_error_message: "Wrong response from the webhook: 401 Unauthorized",
      pending_update_count: 250,
    };
    const [finding] = await check();
    expect(finding?.detail).toContain("does not match TELEGRAM_WEBHOOK_SECRET");
    expect(finding?.detail).toContain("250 updates are waiting");
    expect(JSON.stringify(finding)).not.toContain(botToken);
  });

  it("a refused bot token is a finding that does not echo it", async () => {
    const wrong = `${randomInt(7_000_000_000, 7_999_999_999)}:AA${randomBytes(24).toString("base64url")}`;
    const [finding] = await check(wrong);
    expect(finding?.detail).toContain("bot token is wrong or revoked");
    expect(JSON.stringify(finding)).not.toContain(wrong);
  });
});
