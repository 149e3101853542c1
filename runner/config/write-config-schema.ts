// `npm run config:schema`: writes drawbridge.config.schema.json and docs/config-reference.md from
// the zod schema. A node test (test/runner/config-schema.test.ts) fails when they are out of date.
import { writeFile } from "node:fs/promises";
import { relative } from "node:path";
import { generatedConfigFiles } from "./generated-config-files.js";

for (const file of await generatedConfigFiles()) {
  await writeFile(file.path, file.content);
  process.stdout.write(`wrote ${relative(process.cwd(), file.path)}\n`);
}
