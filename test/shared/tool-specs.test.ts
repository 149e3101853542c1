import { describe, expect, it } from "vitest";
import { parseToolCall, TOOL_SPECS, toolArgsJsonSchema } from "../../shared/assistant/tool-specs.js";
import { MAX_COMMAND_LENGTH } from "../../shared/tools/exec.js";
import { TOOL_NAMES } from "../../shared/tools/tool-call.js";

describe("TOOL_SPECS and their JSON schemas", () => {
  it("describes every tool", () => {
    expect(Object.keys(TOOL_SPECS).sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of TOOL_NAMES) expect(TOOL_SPECS[tool].description.length).toBeGreaterThan(40);
    expect(TOOL_SPECS.exec.description).toMatch(/no network/);
    expect(TOOL_SPECS.exec.description).toMatch(/\/workspace/);
    for (const tool of ["read", "write", "edit", "ls"] as const) expect(TOOL_SPECS[tool].description).toMatch(/relative to the workspace/);
  });

  it.each([
    ["exec", ["command", "elevated"], ["command"]],
    ["read", ["path"], ["path"]],
    ["write", ["path", "content"], ["path", "content"]],
    ["edit", ["path", "oldText", "newText", "replaceAll"], ["path", "oldText", "newText"]],
    ["ls", ["path"], []],
  ] as const)("%s: a plain object schema with its properties, required keys and no others", (tool, properties, required) => {
    const schema = toolArgsJsonSchema(tool);
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toEqual(properties);
    expect(schema.required).toEqual(required);
    expect(schema).not.toHaveProperty("$schema");
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it("carries the schemas' limits, so the model sees what the runner accepts", () => {
    const exec = toolArgsJsonSchema("exec") as { properties: { command: { maxLength: number; minLength: number } } };
    expect(exec.properties.command).toMatchObject({ type: "string", minLength: 1, maxLength: MAX_COMMAND_LENGTH });
  });
});

describe("parseToolCall", () => {
  it("turns a call into the request the tunnel carries", () => {
    expect(parseToolCall("exec", { command: "ls -la" })).toEqual({ ok: true, request: { tool: "exec", args: { command: "ls -la" } } });
    expect(parseToolCall("ls", {})).toEqual({ ok: true, request: { tool: "ls", args: {} } });
    expect(parseToolCall("edit", { path: "a.md", oldText: "x", newText: "y" })).toEqual({
      ok: true,
      request: { tool: "edit", args: { path: "a.md", oldText: "x", newText: "y" } },
    });
  });

  it("matches names as the policy does: whatever the case, but no disguised names", () => {
    expect(parseToolCall("READ", { path: "a" })).toMatchObject({ ok: true, request: { tool: "read" } });
    for (const name of ["ｅｘｅｃ", "exеc", " exec", "exec\u200b", "shell", "", "group:fs", "__proto__"]) {
      const result = parseToolCall(name, { command: "id" });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain(`unknown tool ${JSON.stringify(name)}`);
    }
  });

  it("refuses arguments that fail the tool's schema, saying which and why", () => {
    const cases: [string, unknown, RegExp][] = [
      ["exec", {}, /arguments of exec are invalid: command: .*expected string/],
      ["exec", { command: "" }, /command: the command is empty/],
      ["exec", { command: "x".repeat(MAX_COMMAND_LENGTH + 1) }, /longer than 8192/],
      ["exec", { command: "id", env: { A: "1" } }, /Unrecognized key.*"env"/],
      ["read", { path: "a\u0000b" }, /path: the path contains a NUL byte/],
      ["edit", { path: "a", old: "x", new: "y" }, /oldText: .*newText: .*Unrecognized keys: "old", "new"/],
      ["write", { path: "a", content: 42 }, /content: .*expected string/],
      ["ls", null, /arguments of ls must be a JSON object/],
      ["ls", ["a"], /must be a JSON object/],
      ["read", "notes.md", /must be a JSON object/],
    ];
    for (const [name, input, reason] of cases) {
      const result = parseToolCall(name, input);
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
  });

  it("keeps a reason short however many bad keys the call has", () => {
    const input = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`key${"k".repeat(50)}${i}`, i]));
    const result = parseToolCall("read", input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeLessThanOrEqual(601);
  });
});
