import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { configJsonSchema, schemaProperties, type SchemaNode } from "../../runner/config/config-schema.js";
import { generatedConfigFiles } from "../../runner/config/generated-config-files.js";

describe("drawbridge.config.schema.json and docs/config-reference.md", () => {
  it("are up to date with the zod schema", async () => {
    for (const file of await generatedConfigFiles()) {
      const committed = await readFile(file.path, "utf8").catch(() => "");
      expect(committed === file.content, `${file.path} is out of date: run npm run config:schema`).toBe(true);
    }
  });

  it("documents every key", () => {
    const properties = schemaProperties(configJsonSchema());
    // The walk must reach the deep keys, or an undocumented one could hide below it.
    expect(properties.map((property) => property.path)).toEqual(
      expect.arrayContaining([
        "access.rateLimits.owner.tool.burst",
        "access.tools.senders.*.exec.allowlist",
        "hooks.*.perMinute",
        "model.baseUrl",
      ]),
    );
    const undocumented = properties.filter((property) => !property.node.description?.trim()).map((property) => property.path);
    expect(undocumented, "add .describe() to these keys in the zod schema, then npm run config:schema").toEqual([]);
  });

  it("leaves keys with defaults optional, so a file holding one setting is valid for an editor", () => {
    const schema = configJsonSchema() as SchemaNode;
    expect(schema.required ?? []).toEqual([]);
    const access = schema.properties?.access;
    expect(access?.required ?? []).toEqual([]);
    expect(access?.properties?.dmPolicy?.default).toBe("pairing");
    expect(schema.additionalProperties).toBe(false);
  });
});
