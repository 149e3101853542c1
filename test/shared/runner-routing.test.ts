import { describe, expect, it } from "vitest";
import { parseAccessConfig } from "../../shared/access/access-config.js";
import { runnerFor } from "../../shared/sessions/runner-routing.js";

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

  it.each([
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
