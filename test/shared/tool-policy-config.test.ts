import { describe, expect, it } from "vitest";
import { parseAccessConfig } from "../../shared/access/access-config.js";
import { ToolPolicyConfig } from "../../shared/policy/tool-policy-config.js";

function refusal(tools: unknown): string {
  const parsed = parseAccessConfig({ tools });
  if (parsed.ok) throw new Error("the config was accepted");
  return parsed.message;
}

describe("tool policy config", () => {
  it("has the documented secure defaults when DRAWBRIDGE_ACCESS says nothing about tools", () => {
    const parsed = parseAccessConfig("");
    if (!parsed.ok) throw new Error(parsed.message);
    const tools = parsed.config.tools;
    expect(tools.profile).toBe("coding");
    expect(tools.elevated).toEqual({ enabled: false, ask: "always" });
    expect(tools.approvalTtlMinutes).toBe(5);
    expect(tools.maxPendingApprovals).toBe(5);
    expect(tools.roles.trusted.exec).toEqual({ security: "allowlist", ask: "on-miss", allowlist: [] });
    expect(tools.roles.limited.profile).toBe("messaging");
  });

  it("keeps a role's other defaults when one field is overridden", () => {
    const tools = ToolPolicyConfig.parse({ roles: { trusted: { deny: ["write"], exec: { allowlist: ["git status"] } } } });
    expect(tools.roles.trusted.exec).toEqual({ security: "allowlist", ask: "on-miss", allowlist: ["git status"] });
    expect(tools.roles.trusted.deny).toEqual(["write"]);
  });

  it("stores tool names in canonical form (case-insensitive)", () => {
    expect(ToolPolicyConfig.parse({ deny: ["EXEC", "Group:FS"] }).deny).toEqual(["exec", "group:fs"]);
  });

  it.each([
    [{ deny: ["\u0435xec"] }, "DRAWBRIDGE_ACCESS.tools.deny.0 is invalid: unknown tool", "U+0435"],
    [{ deny: ["ex\u200Bec"] }, "DRAWBRIDGE_ACCESS.tools.deny.0 is invalid: unknown tool", "U+200B"],
    [{ allow: ["read", " write"] }, "DRAWBRIDGE_ACCESS.tools.allow.1 is invalid: unknown tool", "spaces"],
    [{ allow: ["ｅｘｅｃ"] }, "DRAWBRIDGE_ACCESS.tools.allow.0 is invalid: unknown tool", "look-alike"],
    [{ deny: ["shell"] }, 'DRAWBRIDGE_ACCESS.tools.deny.0 is invalid: unknown tool "shell"', "groups"],
    [{ roles: { trusted: { allow: ["group:everything"] } } }, "DRAWBRIDGE_ACCESS.tools.roles.trusted.allow.0 is invalid: unknown tool", ""],
    [{ senders: { "42": { deny: ["rm"] } } }, "DRAWBRIDGE_ACCESS.tools.senders.42.deny.0 is invalid: unknown tool", ""],
    [{ senders: { alice: {} } }, "DRAWBRIDGE_ACCESS.tools.senders.alice is invalid", ""],
    [{ profile: "admin" }, "DRAWBRIDGE_ACCESS.tools.profile is invalid", ""],
    [{ exec: { security: "yolo" } }, "DRAWBRIDGE_ACCESS.tools.exec.security is invalid", ""],
    [
      { roles: { trusted: { exec: { allowlist: ["git status; id"] } } } },
      "DRAWBRIDGE_ACCESS.tools.roles.trusted.exec.allowlist.0 is invalid",
      "shell",
    ],
    [
      { roles: { trusted: { exec: { allowlist: ["* status"] } } } },
      "DRAWBRIDGE_ACCESS.tools.roles.trusted.exec.allowlist.0 is invalid",
      "literal",
    ],
    [{ roles: { blocked: {} } }, "DRAWBRIDGE_ACCESS.tools.roles is invalid", "blocked"],
    [{ approvalTtlMinutes: 0 }, "DRAWBRIDGE_ACCESS.tools.approvalTtlMinutes is invalid", ""],
    [{ approvalTtlMinutes: 61 }, "DRAWBRIDGE_ACCESS.tools.approvalTtlMinutes is invalid", ""],
    [{ maxPendingApprovals: 0 }, "DRAWBRIDGE_ACCESS.tools.maxPendingApprovals is invalid", ""],
    [{ maxPendingApprovals: 51 }, "DRAWBRIDGE_ACCESS.tools.maxPendingApprovals is invalid", ""],
    [{ elevated: { enabled: "yes" } }, "DRAWBRIDGE_ACCESS.tools.elevated.enabled is invalid", ""],
    [{ sandbox: true }, "DRAWBRIDGE_ACCESS.tools is invalid", "sandbox"],
  ])("refuses %j naming the key", (tools, prefix, detail) => {
    const message = refusal(tools);
    expect(message.startsWith(prefix)).toBe(true);
    expect(message).toContain(detail);
  });
});
