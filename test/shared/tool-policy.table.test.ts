import { describe, expect, it } from "vitest";
import type { Role } from "../../shared/access/roles.js";
import { allowedTools, decideTool } from "../../shared/policy/decide-tool.js";
import { PROFILES, ToolPolicyConfig, type Profile } from "../../shared/policy/tool-policy-config.js";
import type { ToolName, ToolRequest } from "../../shared/tools/tool-call.js";

const ALL: ToolName[] = ["exec", "read", "write", "edit", "ls"];
const ROLES: Role[] = ["owner", "trusted", "limited", "blocked"];
const GIT_STATUS: ToolRequest = { tool: "exec", args: { command: "git status" } };
const READ: ToolRequest = { tool: "read", args: { path: "notes.md" } };

type Row = { tools: ToolName[]; exec: "allow" | "ask" | "deny"; read: "allow" | "deny" };
const none: Row = { tools: [], exec: "deny", read: "deny" };
/** With the default role layers: owner runs anything, trusted is asked about non-allowlisted commands. */
const runnerTools = (role: Role): Row =>
  role === "owner" ? { tools: ALL, exec: "allow", read: "allow" } : role === "trusted" ? { tools: ALL, exec: "ask", read: "allow" } : none;

/** Global profile × role, every role layer at its default. */
const GLOBAL: Record<Profile, (role: Role) => Row> = {
  minimal: () => none,
  messaging: () => none,
  coding: runnerTools,
  full: runnerTools,
};

/** The role's own profile × role, under a `full` global profile. Only `blocked` cannot be configured. */
const ROLE: Record<Profile, (role: Role) => Row> = {
  minimal: () => none,
  messaging: () => none,
  coding: (role) => (role === "limited" ? { tools: ALL, exec: "allow", read: "allow" } : runnerTools(role)),
  full: (role) => (role === "limited" ? { tools: ALL, exec: "allow", read: "allow" } : runnerTools(role)),
};

function check(policy: ToolPolicyConfig, role: Role, expected: Row) {
  const who = { role, senderId: "1001" };
  expect(allowedTools(policy, who)).toEqual(expected.tools);
  expect(decideTool(policy, who, GIT_STATUS).kind).toBe(expected.exec);
  expect(decideTool(policy, who, READ).kind).toBe(expected.read);
}

describe("every profile × role", () => {
  for (const profile of PROFILES) {
    for (const role of ROLES) {
      it(`global profile ${profile}, role ${role}`, () => {
        check(ToolPolicyConfig.parse({ profile }), role, GLOBAL[profile](role));
      });
      it(`role profile ${profile}, role ${role}`, () => {
        const roles = role === "blocked" ? {} : { [role]: { profile } };
        check(ToolPolicyConfig.parse({ profile: "full", roles }), role, ROLE[profile](role));
      });
    }
  }
});

describe("refusals a sender understands", () => {
  it.each([
    [{}, "limited", READ, 'read is not part of the "messaging" tool profile of your role (limited).'],
    [{ profile: "minimal" }, "owner", READ, `read is not part of the "minimal" tool profile of the gateway's tool policy.`],
    [{ deny: ["group:runtime"] }, "owner", GIT_STATUS, "exec is denied by the gateway's tool policy."],
    [{ roles: { trusted: { allow: ["group:fs"] } } }, "trusted", GIT_STATUS, "exec is not in the tools allowed by your role (trusted)."],
    [{ senders: { "1001": { deny: ["READ"] } } }, "owner", READ, "read is denied by your own tool settings."],
    [
      { roles: { owner: { exec: { security: "deny" } } } },
      "owner",
      GIT_STATUS,
      'exec is turned off (exec security "deny") by your role (owner).',
    ],
    [{}, "blocked", READ, "read is not available: blocked senders may not use any tool."],
  ])("%j, %s, %j → %s", (config, role, request, reason) => {
    expect(decideTool(ToolPolicyConfig.parse(config), { role: role as Role, senderId: "1001" }, request)).toEqual({ kind: "deny", reason });
  });

  it("a sender layer applies only to that sender; the console (null id) has none", () => {
    const policy = ToolPolicyConfig.parse({ senders: { "1001": { deny: ["exec"] } } });
    expect(allowedTools(policy, { role: "owner", senderId: "1001" })).toEqual(["read", "write", "edit", "ls"]);
    expect(allowedTools(policy, { role: "owner", senderId: "1002" })).toEqual(ALL);
    expect(allowedTools(policy, { role: "owner", senderId: null })).toEqual(ALL);
  });

  it("a tool name outside the known set is denied", () => {
    const forged = { tool: "shell", args: { command: "id" } } as unknown as ToolRequest;
    expect(decideTool(ToolPolicyConfig.parse({ profile: "full" }), { role: "owner", senderId: null }, forged)).toEqual({
      kind: "deny",
      reason: '"shell" is not a tool Drawbridge knows.',
    });
  });
});

describe("elevated exec", () => {
  const elevated: ToolRequest = { tool: "exec", args: { command: "uptime", elevated: true } };
  const owner = { role: "owner" as const, senderId: null };
  it.each([
    [{ profile: "full" }, undefined, "deny", "turned off in the gateway's tool policy (tools.elevated.enabled)"],
    [{ profile: "coding", elevated: { enabled: true } }, undefined, "deny", 'needs the "full" tool profile'],
    [{ profile: "full", elevated: { enabled: true } }, { elevatedAllowed: false }, "deny", "turned off on the home runner"],
    [{ profile: "full", elevated: { enabled: true } }, { elevatedAllowed: true }, "ask", "asks the owner before every command"],
    [{ profile: "full", elevated: { enabled: true, ask: "off" } }, { elevatedAllowed: true }, "allow", undefined],
    [{ profile: "full", elevated: { enabled: true, ask: "off" } }, undefined, "allow", undefined],
  ])("%j with runner floor %j → %s", (config, floor, kind, reason) => {
    const decision = decideTool(ToolPolicyConfig.parse(config), owner, elevated, floor);
    expect(decision.kind).toBe(kind);
    if (reason !== undefined && decision.kind !== "allow") expect(decision.reason).toContain(reason);
  });
});
