import { execFile } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createSocketServer, type Server as SocketServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditReport, type AuditFinding } from "../../shared/audit-report.js";
import { checkDockerSocket } from "../../runner/cli/audit/docker-socket.js";
import { runAudit } from "../../runner/cli/audit/run-audit.js";
import { checkTelegramWebhook } from "../../runner/cli/audit/telegram-webhook.js";

const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
/** What a generated token looks like: 32 random bytes, base64url. */
const STRONG_TOKEN = "q3Vb8nZ0xL1mR7tYpK2wE9cA5dF4gH6jS-uN_oIiBvMk";

let root: string;
let state: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "drawbridge-audit-"));
  state = join(root, "state");
  await mkdir(state, { mode: 0o700 });
  await chmod(state, 0o700);
  await writeSecret("local-secrets.json", JSON.stringify({ GATEWAY_TOKEN: STRONG_TOKEN }));
  await writeSecret("runner-key.json", "{}");
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function writeSecret(name: string, text: string, mode = 0o600): Promise<string> {
  const path = join(state, name);
  await writeFile(path, text, { mode });
  await chmod(path, mode);
  return path;
}

/** The audit of the temp state dir with these settings in the environment (nothing else from this machine). */
async function audit(env: Record<string, string> = {}, options: { fix?: boolean } = {}) {
  return runAudit({ fix: options.fix ?? false, deep: false, env: { DRAWBRIDGE_STATE_DIR: state, ...env }, cwd: root });
}
const ids = (findings: readonly AuditFinding[]) => findings.map((finding) => finding.id);
const find = (findings: readonly AuditFinding[], id: string) => findings.find((finding) => finding.id === id);
const access = (config: unknown) => ({ DRAWBRIDGE_ACCESS: JSON.stringify(config) });

/** `drawbridge audit <args>` as a user types it, in the project, against the temp state dir. */
function drawbridge(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cliEntry, "audit", ...args],
      { env: { PATH: process.env.PATH ?? "", DRAWBRIDGE_STATE_DIR: state, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("a clean setup", () => {
  it("the defaults, a strong token and owner-only files: nothing found", async () => {
    const { report } = await audit();
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ critical: 0, warn: 0, info: 0 });
  });
});

describe("state.permissions", () => {
  it("fires on a 0755 state dir and 0644 key, secrets, env file, journal and audit log, naming each with its mode", async () => {
    await chmod(state, 0o755);
    for (const name of ["runner-key.json", "local-secrets.json"]) await chmod(join(state, name), 0o644);
    await writeSecret("dev.vars", "GATEWAY_TOKEN='x'\n", 0o644);
    await writeSecret("journal-home.jsonl", "", 0o644);
    await writeSecret("audit.jsonl", "", 0o640);
    const finding = find((await audit()).report.findings, "state.permissions");
    expect(finding?.severity).toBe("critical");
    expect(finding?.detail).toContain(`${state} (the state dir) is 0755, should be 0700`);
    for (const name of ["runner-key.json", "local-secrets.json", "dev.vars", "journal-home.jsonl"]) {
      expect(finding?.detail).toContain(`${join(state, name)}`);
    }
    expect(finding?.detail).toContain(`${join(state, "audit.jsonl")} (the runner's audit log) is 0640`);
  });

  it("only group-readable: a warn, not critical", async () => {
    await chmod(join(state, "runner-key.json"), 0o640);
    expect(find((await audit()).report.findings, "state.permissions")?.severity).toBe("warn");
  });

  it("--fix takes 0644 files to 0600 and the dir to 0700, lists them, and a second run is clean; a 0400 file stays 0400", async () => {
    await chmod(state, 0o755);
    await chmod(join(state, "runner-key.json"), 0o644);
    await chmod(join(state, "local-secrets.json"), 0o444);
    await writeSecret("journal-home.jsonl", "", 0o644);
    const first = await audit({}, { fix: true });
    expect(first.fixed).toEqual([
      `chmod 0700 ${state} (was 0755)`,
      `chmod 0600 ${join(state, "runner-key.json")} (was 0644)`,
      `chmod 0400 ${join(state, "local-secrets.json")} (was 0444)`,
      `chmod 0600 ${join(state, "journal-home.jsonl")} (was 0644)`,
    ]);
    expect(first.report.findings).toEqual([]);
    expect((await stat(state)).mode & 0o777).toBe(0o700);
    expect((await stat(join(state, "runner-key.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(state, "local-secrets.json"))).mode & 0o777).toBe(0o400);
    const second = await audit({}, { fix: true });
    expect(second.fixed).toEqual([]);
    expect(second.report.findings).toEqual([]);
  });
});

describe("access and tools", () => {
  it("access.open_dms fires on an open DM policy; quiet under pairing", async () => {
    const open = await audit(access({ dmPolicy: "open", allowFrom: ["*"] }));
    expect(find(open.report.findings, "access.open_dms")?.severity).toBe("warn");
    expect(ids((await audit(access({ dmPolicy: "pairing" }))).report.findings)).not.toContain("access.open_dms");
  });

  it("access.open_groups fires on groups.policy open; quiet on allowlist", async () => {
    const open = await audit(access({ groups: { policy: "open", allowFrom: ["*"] } }));
    expect(find(open.report.findings, "access.open_groups")?.detail).toContain("every member of every group");
    expect(ids((await audit(access({ groups: { policy: "allowlist" } }))).report.findings)).not.toContain("access.open_groups");
  });

  it("access.open_with_tools is critical when a stranger in a DM is served as trusted (coding profile: writes files unasked)", async () => {
    const { report } = await audit(access({ dmPolicy: "open", allowFrom: ["*"], pairing: { defaultRole: "trusted" } }));
    const finding = find(report.findings, "access.open_with_tools");
    expect(finding?.severity).toBe("critical");
    expect(finding?.detail).toContain("a stranger in a direct message is served as trusted and can write files");
  });

  it("access.open_with_tools: any command, in any open group whose every member is served, with exec opened for limited", async () => {
    const config = { groups: { policy: "open", allowFrom: ["*"] }, tools: { roles: { limited: { profile: "coding" } } } };
    const finding = find((await audit(access(config))).report.findings, "access.open_with_tools");
    expect(finding?.severity).toBe("critical");
    expect(finding?.detail).toContain("a stranger in a group is served as limited and can run any command");
  });

  it("access.open_with_tools only warns when every exec and write needs the owner's approval", async () => {
    const config = {
      dmPolicy: "open",
      allowFrom: ["*"],
      pairing: { defaultRole: "trusted" },
      tools: { roles: { trusted: { deny: ["write", "edit"] } } },
    };
    const finding = find((await audit(access(config))).report.findings, "access.open_with_tools");
    expect(finding?.severity).toBe("warn");
    expect(finding?.detail).toContain("each command allowlisted or approved by you");
  });

  it("access.open_with_tools is quiet when open DMs serve strangers as limited (no runner tool), and under pairing", async () => {
    const open = await audit(access({ dmPolicy: "open", allowFrom: ["*"] }));
    expect(ids(open.report.findings)).toEqual(["access.open_dms"]);
    expect(ids((await audit(access({ pairing: { defaultRole: "trusted" } }))).report.findings)).toEqual([]);
  });

  it("tools.elevated fires when enabled (critical with ask off); quiet by default", async () => {
    const asked = await audit(access({ tools: { profile: "full", elevated: { enabled: true } } }));
    expect(find(asked.report.findings, "tools.elevated")).toMatchObject({ severity: "warn" });
    expect(find(asked.report.findings, "tools.elevated")?.detail).toContain("for owner, trusted");
    const unasked = await audit(access({ tools: { profile: "full", elevated: { enabled: true, ask: "off" } } }));
    expect(find(unasked.report.findings, "tools.elevated")?.severity).toBe("critical");
    expect(ids((await audit()).report.findings)).not.toContain("tools.elevated");
  });

  it("tools.exec_full fires for trusted with exec security full, and for one sender's own layer; quiet by default", async () => {
    const role = await audit(access({ tools: { roles: { trusted: { exec: { security: "full", ask: "off" } } } } }));
    expect(find(role.report.findings, "tools.exec_full")?.detail).toContain("role trusted");
    const sender = await audit(
      access({ roles: { "4242": "trusted" }, tools: { roles: { trusted: { exec: { security: "full", ask: "off" } } } } }),
    );
    expect(find(sender.report.findings, "tools.exec_full")?.detail).toContain("role trusted");
    expect(ids((await audit()).report.findings)).not.toContain("tools.exec_full");
    // The owner running any command in the sandbox is the default, not a finding.
    expect(ids((await audit(access({ tools: { roles: { owner: { exec: { security: "full" } } } } }))).report.findings)).toEqual([]);
  });

  it("the access config comes from the env file npm start writes when the environment has none", async () => {
    await writeSecret("dev.vars", `DRAWBRIDGE_ACCESS='${JSON.stringify({ dmPolicy: "open", allowFrom: ["*"] })}'\n`);
    const finding = find((await audit()).report.findings, "access.open_dms");
    expect(finding?.detail).toContain(`DRAWBRIDGE_ACCESS from ${join(state, "dev.vars")}`);
  });
});

describe("hooks.bearer", () => {
  it("fires on a hook verified by a bearer token; quiet on signed hooks", async () => {
    const bearer = await audit({ DRAWBRIDGE_HOOKS: JSON.stringify({ ci: { verify: "bearer" }, gh: { verify: "github" } }) });
    const finding = find(bearer.report.findings, "hooks.bearer");
    expect(finding?.severity).toBe("warn");
    expect(finding?.detail).toContain('hook "ci"');
    expect(finding?.detail).not.toContain('"gh"');
    const signed = await audit({ DRAWBRIDGE_HOOKS: JSON.stringify({ gh: { verify: "github" }, sw: { verify: "standard-webhooks" } }) });
    expect(signed.report.findings).toEqual([]);
  });
});

describe("gateway.token_weak", () => {
  const cases: [string, string, "critical" | "warn"][] = [
    ["a dictionary word with digits", "password123", "critical"],
    ["long but one repeated character", "a".repeat(48), "critical"],
    ["long but a repeated short pattern", "xK9".repeat(16), "critical"],
    ["random but 12 characters", "Zq8vN2pL7xR4", "critical"],
    ["random, 16 characters (64 bits by this estimate)", "Zq8vN2pL7xR4tW1k", "warn"],
    ["random, 24 characters", "Zq8vN2pL7xR4tW1kYb6mC3hJ", "warn"],
  ];
  for (const [what, token, severity] of cases) {
    it(`${what}: ${severity}, described by length and bits, never shown`, async () => {
      const { report } = await audit({ GATEWAY_TOKEN: token });
      const finding = find(report.findings, "gateway.token_weak");
      expect(finding?.severity).toBe(severity);
      expect(finding?.detail).toContain(`is ${token.length} characters`);
      expect(JSON.stringify(report)).not.toContain(token);
    });
  }

  it("quiet on what npm start and openssl rand -hex 32 make", async () => {
    expect((await audit({ GATEWAY_TOKEN: STRONG_TOKEN })).report.findings).toEqual([]);
    expect((await audit({ GATEWAY_TOKEN: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" })).report.findings).toEqual(
      [],
    );
  });
});

describe("model.key_in_config", () => {
  const key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";

  it("fires on a key in runner.json, naming the file and line, never the key", async () => {
    await writeSecret("runner.json", `{\n  "model": { "apiKey": "${key}" }\n}\n`);
    const { report } = await audit();
    const finding = find(report.findings, "model.key_in_config");
    expect(finding?.detail).toContain(`${join(state, "runner.json")}:2`);
    expect(JSON.stringify(report)).not.toContain(key);
  });

  it("critical in wrangler.toml (committed)", async () => {
    await writeFile(join(root, "wrangler.toml"), `[vars]\nDRAWBRIDGE_MODEL_BASE_URL = "https://x"\nOPENAI = "${key}"\n`);
    const finding = find((await audit()).report.findings, "model.key_in_config");
    expect(finding?.severity).toBe("critical");
    expect(finding?.detail).toContain(`${join(root, "wrangler.toml")}:3`);
  });

  it("in the env file: quiet under DRAWBRIDGE_MODEL_API_KEY (where npm start puts it), fires under any other name", async () => {
    await writeSecret("dev.vars", `DRAWBRIDGE_MODEL_API_KEY='${key}'\n`);
    expect((await audit()).report.findings).toEqual([]);
    await writeSecret("dev.vars", `DRAWBRIDGE_MODEL_API_KEY='${key}'\nDRAWBRIDGE_MODEL_BASE_URL='${key}'\n`);
    const finding = find((await audit()).report.findings, "model.key_in_config");
    expect(finding?.detail).toContain(`${join(state, "dev.vars")}:2 (DRAWBRIDGE_MODEL_BASE_URL)`);
  });
});

describe("the command: --json, exit codes, --fix", () => {
  it("exit 1 with a critical finding, --json parses as AuditReport, critical first, and the token never appears", async () => {
    const token = "changeme-please";
    const result = await drawbridge({ GATEWAY_TOKEN: token, ...access({ dmPolicy: "open", allowFrom: ["*"] }) }, "--json");
    expect(result.code).toBe(1);
    const report = AuditReport.parse(JSON.parse(result.stdout));
    expect(ids(report.findings)).toEqual(["gateway.token_weak", "access.open_dms"]);
    expect(report.summary).toEqual({ critical: 1, warn: 1, info: 0 });
    expect(result.stdout + result.stderr).not.toContain(token);
  }, 30_000);

  it("exit 0 with warnings only; human output groups by severity with a summary line", async () => {
    const result = await drawbridge(access({ dmPolicy: "open", allowFrom: ["*"] }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("WARN (1)\n  [access.open_dms] Anyone can DM the bot");
    expect(result.stdout).toContain("audit: 0 critical · 1 warn · 0 info");
  }, 30_000);

  it("--fix lists what it changed and exits 0 once nothing critical is left; the next run says nothing found", async () => {
    await chmod(join(state, "runner-key.json"), 0o644);
    const fixed = await drawbridge({}, "--fix");
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(`fixed: chmod 0600 ${join(state, "runner-key.json")} (was 0644)`);
    const again = await drawbridge({});
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe("audit: nothing found");
  }, 30_000);

  it("--fix cannot tighten an open groups.policy without a config file, and says so", async () => {
    const result = await drawbridge(access({ groups: { policy: "open" } }), "--fix");
    expect(result.stdout).toContain("not fixed: cannot tighten groups.policy: there is no config file");
  }, 30_000);

  it("--fix sets an open access.groups.policy in the config file to allowlist, keeping its comments", async () => {
    const path = join(root, "drawbridge.config.json");
    const text = '{\n  // who may talk\n  "access": { "dmPolicy": "pairing", "groups": { "policy": "open", "allowFrom": ["*"] } },\n}\n';
    await writeFile(path, text, { mode: 0o600 });
    const env = { DRAWBRIDGE_STATE_DIR: state, DRAWBRIDGE_CONFIG: path };
    const before = await runAudit({ fix: false, deep: false, env, cwd: root });
    expect(find(before.report.findings, "access.open_groups")?.detail).toContain(`DRAWBRIDGE_ACCESS from ${path}`);
    const run = await runAudit({ fix: true, deep: false, env, cwd: root });
    expect(run.fixed).toEqual([`${path}: access.groups.policy "open" → "allowlist"`]);
    expect(ids(run.report.findings)).not.toContain("access.open_groups");
    expect(await readFile(path, "utf8")).toBe(text.replace('"policy": "open"', '"policy": "allowlist"'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("a config file the loader refuses is config.invalid, and the env file is read instead", async () => {
    const path = join(root, "drawbridge.config.json");
    await writeFile(path, JSON.stringify({ access: { dmPolicy: "wide-open" } }));
    const { report } = await runAudit({
      fix: false,
      deep: false,
      env: { DRAWBRIDGE_STATE_DIR: state, DRAWBRIDGE_CONFIG: path },
      cwd: root,
    });
    expect(find(report.findings, "config.invalid")?.detail).toContain("access.dmPolicy");
  });

  it("--deep without DRAWBRIDGE_GATEWAY_URL and GATEWAY_TOKEN says so and exits 2", async () => {
    const result = await drawbridge({}, "--deep");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--deep audits a running gateway and needs DRAWBRIDGE_GATEWAY_URL and GATEWAY_TOKEN");
  }, 30_000);
});

describe("docker.socket_exposed", () => {
  let socket: SocketServer;
  let path: string;
  beforeEach(async () => {
    path = join(root, "docker.sock");
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
  const botToken = "7012345678:AAH-test-token-for-the-audit-0123456789";
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
    const wrong = "7012345678:AAH-wrong-token-000000000000000000000";
    const [finding] = await check(wrong);
    expect(finding?.detail).toContain("bot token is wrong or revoked");
    expect(JSON.stringify(finding)).not.toContain(wrong);
  });
});
