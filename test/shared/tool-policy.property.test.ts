import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allowedTools, decideTool, elevatedAllowed, matchToolName, type ToolUser } from "../../shared/policy/decide-tool.js";
import { matchesAllowlist } from "../../shared/policy/exec-allowlist.js";
import { parseCommand } from "../../shared/policy/shell-words.js";
import { EXEC_SECURITY, PROFILES, ToolPolicyConfig } from "../../shared/policy/tool-policy-config.js";
import { TOOL_NAMES, type ToolRequest } from "../../shared/tools/tool-call.js";
import {
  layerInput,
  policyInput,
  RANK,
  request,
  SELECTORS,
  target,
  user,
  withLayer,
  type LayerInput,
  type PolicyInput,
  type Target,
} from "./tool-policy-arbitraries.js";

const RUNS = { numRuns: 400 };

/** Neither the tool list nor any request's decision got wider from `before` to `after`. */
function neverWider(before: PolicyInput, after: PolicyInput, who: ToolUser, requests: ToolRequest[]) {
  const a = ToolPolicyConfig.parse(before);
  const b = ToolPolicyConfig.parse(after);
  const wider = allowedTools(a, who);
  for (const tool of allowedTools(b, who)) expect(wider).toContain(tool);
  for (const r of requests) {
    for (const floor of [undefined, { elevatedAllowed: true }]) {
      expect(RANK[decideTool(b, who, r, floor).kind]).toBeLessThanOrEqual(RANK[decideTool(a, who, r, floor).kind]);
    }
  }
}

const requests = fc.array(request, { minLength: 1, maxLength: 8 });

/** Makes one layer stricter, respecting the role defaults (trusted exec allowlist + on-miss, limited messaging). */
const narrowing = fc.record({
  profile: fc.option(fc.constantFrom(...PROFILES)),
  security: fc.option(fc.constantFrom(...EXEC_SECURITY)),
  // "on-miss" → "always" is the only stricter ask: "off" → "on-miss" turns a layer's refusals into questions.
  askAlways: fc.boolean(),
  allowOnly: fc.option(fc.uniqueArray(fc.constantFrom(...SELECTORS), { maxLength: 3 })),
});
type Narrowing = typeof narrowing extends fc.Arbitrary<infer T> ? T : never;

function narrow(layer: LayerInput, where: Target, n: Narrowing): LayerInput {
  const role = where.kind === "role" ? where.role : null;
  const out: LayerInput = structuredClone(layer);
  const minOf = <T>(scale: readonly T[], x: T | undefined, y: T) =>
    x === undefined ? y : scale[Math.min(scale.indexOf(x), scale.indexOf(y))];
  const defaultProfile = role === "limited" ? "messaging" : where.kind === "global" ? "coding" : undefined;
  if (n.profile !== null) out.profile = minOf(PROFILES as readonly string[], layer.profile ?? defaultProfile, n.profile);
  const exec = { ...out.exec };
  const trustedDefault = role === "trusted";
  const security = exec.security ?? (exec.allowlist !== undefined || trustedDefault ? "allowlist" : "full");
  if (n.security !== null) exec.security = minOf(EXEC_SECURITY as readonly string[], security, n.security);
  if (n.askAlways && (exec.ask ?? (trustedDefault ? "on-miss" : undefined)) === "on-miss") exec.ask = "always";
  out.exec = exec;
  // Keeping only some entries of an existing allow list, or adding one where there was none, narrows.
  if (n.allowOnly !== null) out.allow = layer.allow ? layer.allow.filter((s) => n.allowOnly?.includes(s)) : n.allowOnly;
  return out;
}

describe("tool policy properties", () => {
  it("adding a deny entry to any layer never allows more", () => {
    fc.assert(
      fc.property(policyInput, target, fc.constantFrom(...SELECTORS), user, requests, (input, where, entry, who, rs) => {
        const after = withLayer(input, where, (layer) => ({ ...layer, deny: [...(layer.deny ?? []), entry] }));
        neverWider(input, after, who, rs);
      }),
      RUNS,
    );
  });

  it("adding a sender layer never widens", () => {
    fc.assert(
      fc.property(policyInput, layerInput, user, requests, (input, layer, who, rs) => {
        const without: PolicyInput = structuredClone(input);
        if (who.senderId !== null) delete without.senders?.[who.senderId];
        const withIt = who.senderId === null ? without : withLayer(without, { kind: "sender", id: who.senderId }, () => layer);
        neverWider(without, withIt, who, rs);
      }),
      RUNS,
    );
  });

  it("making any layer stricter (profile, exec security, ask on-miss → always, allow list) never widens", () => {
    fc.assert(
      fc.property(policyInput, target, narrowing, user, requests, (input, where, n, who, rs) => {
        neverWider(
          input,
          withLayer(input, where, (layer) => narrow(layer, where, n)),
          who,
          rs,
        );
      }),
      RUNS,
    );
  });

  it("deny wins: a tool one applicable layer denies, leaves out of its allow list or its profile is denied", () => {
    fc.assert(
      fc.property(policyInput, target, fc.constantFrom("deny", "allow", "profile"), user, request, (input, where, how, who, r) => {
        const tool = r.tool;
        const applies = where.kind === "global" || (where.kind === "role" ? who.role === where.role : who.senderId === where.id);
        const after = withLayer(input, where, (layer) =>
          how === "deny" ? { ...layer, deny: [tool] } : how === "allow" ? { ...layer, allow: [] } : { ...layer, profile: "minimal" },
        );
        const decision = decideTool(ToolPolicyConfig.parse(after), who, r);
        if (applies) expect(decision.kind).toBe("deny");
        if (applies) expect(allowedTools(ToolPolicyConfig.parse(after), who)).not.toContain(tool);
      }),
      RUNS,
    );
  });

  it("with ask off everywhere nothing asks, and an allowed allowlist command matched every allowlist", () => {
    fc.assert(
      fc.property(policyInput, user, request, (input, who, r) => {
        const quiet = ToolPolicyConfig.parse(input);
        const layers = [quiet, quiet.roles.owner, quiet.roles.trusted, quiet.roles.limited, ...Object.values(quiet.senders)];
        const askless = layers.every((layer) => layer.exec.ask !== "on-miss" && layer.exec.ask !== "always");
        const decision = decideTool(quiet, who, {
          ...r,
          ...(r.tool === "exec" ? { args: { ...r.args, elevated: false } } : {}),
        } as ToolRequest);
        if (askless) expect(decision.kind).not.toBe("ask");
        if (decision.kind !== "allow" || decision.request.tool !== "exec") return;
        const parsed = parseCommand(decision.request.args.command);
        const applying = [
          quiet,
          who.role === "blocked" ? quiet : quiet.roles[who.role],
          who.senderId ? quiet.senders[who.senderId] : undefined,
        ];
        for (const layer of applying) {
          if (layer?.exec.security !== "allowlist" && !(layer?.exec.security === undefined && layer?.exec.allowlist)) continue;
          expect(parsed.simple && matchesAllowlist(layer.exec.allowlist ?? [], parsed.argv)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("what runs after an allowlist match is exactly the argv that matched", () => {
    fc.assert(
      fc.property(policyInput, user, request, (input, who, r) => {
        const decision = decideTool(ToolPolicyConfig.parse(input), who, r);
        if (decision.kind === "deny" || r.tool !== "exec" || decision.request.tool !== "exec") return;
        if (decision.request.args.command === r.args.command) return;
        const original = parseCommand(r.args.command);
        expect(original.simple).toBe(true);
        expect(parseCommand(decision.request.args.command)).toEqual(original);
      }),
      RUNS,
    );
  });

  it("elevated exec needs both gates: the edge config and the runner's floor", () => {
    fc.assert(
      fc.property(policyInput, user, fc.constantFrom("uptime", "git status"), fc.boolean(), (input, who, command, floor) => {
        const policy = ToolPolicyConfig.parse(input);
        const decision = decideTool(policy, who, { tool: "exec", args: { command, elevated: true } }, { elevatedAllowed: floor });
        expect(elevatedAllowed(policy.elevated.enabled, floor)).toBe(policy.elevated.enabled && floor);
        if (decision.kind !== "deny") expect(elevatedAllowed(policy.elevated.enabled, floor)).toBe(true);
        // Without the runner's answer the edge still never passes one its own gate refuses.
        const edgeOnly = decideTool(policy, who, { tool: "exec", args: { command, elevated: true } });
        if (!policy.elevated.enabled) expect(edgeOnly.kind).toBe("deny");
      }),
      RUNS,
    );
  });
});

describe("disguised tool names", () => {
  const LOOK_ALIKES: Record<string, string> = {
    e: "\u0435",
    x: "\u0445",
    c: "\u0441",
    a: "\u0430",
    o: "\u03bf",
    d: "\u0501",
    s: "\u0455",
    r: "\u0433",
    i: "\u0456",
  };
  const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e"];
  const name = fc.constantFrom(...TOOL_NAMES);
  const disguise = fc.oneof(
    fc
      .tuple(name, fc.nat(), fc.constantFrom(...INVISIBLE))
      .map(([n, at, z]) => n.slice(0, at % (n.length + 1)) + z + n.slice(at % (n.length + 1))),
    // One or more letters swapped for a Cyrillic or Greek look-alike.
    name
      .filter((n) => [...n].some((c) => LOOK_ALIKES[c]))
      .chain((n) =>
        fc
          .subarray(
            [...n.matchAll(/./g)].filter((m) => LOOK_ALIKES[m[0]]).map((m) => m.index),
            { minLength: 1 },
          )
          .map((swap) => [...n].map((c, i) => (swap.includes(i) ? (LOOK_ALIKES[c] ?? c) : c)).join("")),
      ),
    fc
      .tuple(name, fc.constantFrom(" ", "\t", "\u00a0", "\u3000", "\n"), fc.constantFrom("before", "after", "both"))
      .map(([n, space, where]) => (where === "after" ? "" : space) + n + (where === "before" ? "" : space)),
    name.map((n) => [...n].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("")),
  );

  it("never match a tool, and a config naming one is refused", () => {
    fc.assert(
      fc.property(disguise, (raw) => {
        expect(matchToolName(raw)).toBeNull();
        expect(ToolPolicyConfig.safeParse({ allow: [raw] }).success).toBe(false);
        expect(ToolPolicyConfig.safeParse({ deny: [raw] }).success).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("case variants are the same tool", () => {
    fc.assert(
      fc.property(name, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), (n, upper) => {
        const variant = [...n].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("");
        expect(matchToolName(variant)).toBe(n);
      }),
    );
  });

  it("a forged request naming a disguised tool is denied even under the widest policy", () => {
    fc.assert(
      fc.property(disguise, (raw) => {
        const forged = { tool: raw, args: { command: "id" } } as unknown as ToolRequest;
        expect(decideTool(ToolPolicyConfig.parse({ profile: "full" }), { role: "owner", senderId: null }, forged).kind).toBe("deny");
      }),
    );
  });
});
