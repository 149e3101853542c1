import { join } from "node:path";
import { format } from "prettier";
import { configReference } from "./config-reference.js";
import { configJsonSchema } from "./config-schema.js";

const projectRoot = join(import.meta.dirname, "..", "..");

/** The committed files generated from the config schema, formatted as `prettier --check` expects them. */
export async function generatedConfigFiles(): Promise<{ path: string; content: string }[]> {
  const schema = configJsonSchema();
  return [
    {
      path: join(projectRoot, "drawbridge.config.schema.json"),
      content: await format(JSON.stringify(schema), { parser: "json", printWidth: 140 }),
    },
    {
      path: join(projectRoot, "docs", "config-reference.md"),
      content: await format(configReference(schema), { parser: "markdown", printWidth: 140 }),
    },
  ];
}
