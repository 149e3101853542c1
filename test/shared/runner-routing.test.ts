import { describe, expect, it } from "vitest";
import { parseAccessConfig } from "../../shared/access/access-config.js";
import { DEFAULT_FAILOVER_AFTER_SECONDS, routeFor, runnerFor } from "../../shared/sessions/runner-routing.js";

function routingOf(runners: unknown) {
  const parsed = parseAccessConfig({ runners });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.config.runners;
}

describe("runner routing", () => {
  const routing = routingOf({ sessions: { "group:telegram:-1001": "office", main: "laptop" }, tools: { exec: "gpu-box" } });

  it("sends a call to its session's runner first, then its tool's, else the default", () => {
    expect(runnerFor(routing, "home", "group:telegram:-1001", "exec")).toBe("office");
    expect(runnerFor(routing, "home", "main", "read")).toBe("laptop");
    expect(runnerFor(routing, "home", "dm:telegram:42", "exec")).toBe("gpu-box");
    expect(runnerFor(routing, "home", "dm:telegram:42", "ls")).toBe("home");
  });

  it("routes nothing anywhere unless configured", () => {
    const none = routingOf(undefined);
    for (const tool of ["exec", "read", "write", "edit", "ls"] as const) expect(runnerFor(none, "home", "main", tool)).toBe("home");
  });

  it("a tool's list of runners is its failover order; a single name never fails over", () => {
    const lists = routingOf({ tools: { exec: ["home", "office"] }, failoverAfterSeconds: 30 });
    expect(routeFor(lists, "home", "main", "exec")).toEqual({ runner: "home", fallbacks: ["office"], failoverAfterMs: 30_000 });
    expect(routeFor(lists, "home", "main", "read")).toEqual({ runner: "home", fallbacks: [], failoverAfterMs: 30_000 });
    expect(routeFor(routingOf(undefined), "home", "main", "exec").failoverAfterMs).toBe(DEFAULT_FAILOVER_AFTER_SECONDS * 1000);
  });

  it("a session pinned to one runner never fails over, even when its tool's route lists several; only sharedWorkspace lets it", () => {
    const routing = routingOf({
      sessions: { main: "office", "group:telegram:-1001": { runners: ["office", "home"], sharedWorkspace: true } },
      tools: { exec: ["home", "office"] },
    });
    expect(routeFor(routing, "home", "main", "exec")).toMatchObject({ runner: "office", fallbacks: [] });
    expect(routeFor(routing, "home", "group:telegram:-1001", "read")).toMatchObject({ runner: "office", fallbacks: ["home"] });
  });

  it.each([
    [{ sessions: { main: ["home", "office"] } }, "DRAWBRIDGE_ACCESS.runners.sessions.main"],
    [{ sessions: { main: { runners: ["home", "office"] } } }, "DRAWBRIDGE_ACCESS.runners.sessions.main"],
    [{ tools: { exec: ["home", "home"] } }, "DRAWBRIDGE_ACCESS.runners.tools.exec"],
    [{ tools: { exec: [] } }, "DRAWBRIDGE_ACCESS.runners.tools.exec"],
    [{ failoverAfterSeconds: 0 }, "DRAWBRIDGE_ACCESS.runners.failoverAfterSeconds"],
    [{ tools: { shell: "home" } }, "DRAWBRIDGE_ACCESS.runners.tools"],
    [{ tools: { exec: "../etc" } }, "DRAWBRIDGE_ACCESS.runners.tools.exec"],
    [{ sessions: { "Main Chat": "home" } }, "DRAWBRIDGE_ACCESS.runners.sessions"],
    [{ sessions: { main: "" } }, "DRAWBRIDGE_ACCESS.runners.sessions.main"],
    [{ default: "home" }, "DRAWBRIDGE_ACCESS.runners"],
  ])("refuses %j, naming the key", (runners, key) => {
    const parsed = parseAccessConfig({ runners });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message.startsWith(key)).toBe(true);
  });
});
