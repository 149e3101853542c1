import { chmod, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STRONG_TOKEN, access, audit, dirs, find, ids, useAuditDirs, writeSecret } from "./support/audit-fixture.js";

// drawbridge audit: what the audit finds in the state dir and the config (each check fires, and stays quiet).
useAuditDirs();

describe("a clean setup", () => {
  it("the defaults, a strong token and owner-only files: nothing found", async () => {
    const { report } = await audit();
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ critical: 0, warn: 0, info: 0 });
  });
});

describe("state.permissions", () => {
  it("fires on a 0755 state dir and 0644 key, secrets, env file, journal and audit log, naming each with its mode", async () => {
    await chmod(dirs.state, 0o755);
    for (const name of ["runner-key.json", "local-secrets.json"]) await chmod(join(dirs.state, name), 0o644);
    await writeSecret("dev.vars", "GATEWAY_TOKEN='x'\n", 0o644);
    await writeSecret("journal-home.jsonl", "", 0o644);
    await writeSecret("audit.jsonl", "", 0o640);
    const finding = find((await audit()).report.findings, "state.permissions");
    expect(finding?.severity).toBe("critical");
    expect(finding?.detail).toContain(`${dirs.state} (the state dir) is 0755, should be 0700`);
    for (const name of ["runner-key.json", "local-secrets.json", "dev.vars", "journal-home.jsonl"]) {
      expect(finding?.detail).toContain(`${join(dirs.state, name)}`);
    }
    expect(finding?.detail).toContain(`${join(dirs.state, "audit.jsonl")} (the runner's audit log) is 0640`);
  });

  it("only group-readable: a warn, not critical", async () => {
    await chmod(join(dirs.state, "runner-key.json"), 0o640);
    expect(find((await audit()).report.findings, "state.permissions")?.severity).toBe("warn");
  });

  it("--fix takes 0644 files to 0600 and the dir to 0700, lists them, and a second run is clean; a 0400 file stays 0400", async () => {
    await chmod(dirs.state, 0o755);
    await chmod(join(dirs.state, "runner-key.json"), 0o644);
    await chmod(join(dirs.state, "local-secrets.json"), 0o444);
    await writeSecret("journal-home.jsonl", "", 0o644);
    const first = await audit({}, { fix: true });
    expect(first.fixed).toEqual([
      `chmod 0700 ${dirs.state} (was 0755)`,
      `chmod 0600 ${join(dirs.state, "runner-key.json")} (was 0644)`,
      `chmod 0400 ${join(dirs.state, "local-secrets.json")} (was 0444)`,
      `chmod 0600 ${join(dirs.state, "journal-home.jsonl")} (was 0644)`,
    ]);
    expect(first.report.findings).toEqual([]);
    expect((await stat(dirs.state)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dirs.state, "runner-key.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dirs.state, "local-secrets.json"))).mode & 0o777).toBe(0o400);
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
    expect(finding?.detail).toContain(`DRAWBRIDGE_ACCESS from ${join(dirs.state, "dev.vars")}`);
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
    expect(finding?.detail).toContain(`${join(dirs.state, "runner.json")}:2`);
    expect(JSON.stringify(report)).not.toContain(key);
  });

  it("critical in wrangler.toml (committed)", async () => {
    await writeFile(join(dirs.root, "wrangler.toml"), `[vars]\nDRAWBRIDGE_MODEL_BASE_URL = "https://x"\nOPENAI = "${key}"\n`);
    const finding = find((await audit()).report.findings, "model.key_in_config");
    expect(finding?.severity).toBe("critical");
    expect(finding?.detail).toContain(`${join(dirs.root, "wrangler.toml")}:3`);
  });

  it("in the env file: quiet under DRAWBRIDGE_MODEL_API_KEY (where npm start puts it), fires under any other name", async () => {
    await writeSecret("dev.vars", `DRAWBRIDGE_MODEL_API_KEY='${key}'\n`);
    expect((await audit()).report.findings).toEqual([]);
    await writeSecret("dev.vars", `DRAWBRIDGE_MODEL_API_KEY='${key}'\nDRAWBRIDGE_MODEL_BASE_URL='${key}'\n`);
    const finding = find((await audit()).report.findings, "model.key_in_config");
    expect(finding?.detail).toContain(`${join(dirs.state, "dev.vars")}:2 (DRAWBRIDGE_MODEL_BASE_URL)`);
  });
});
