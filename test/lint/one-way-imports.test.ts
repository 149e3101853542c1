import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { afterEach, describe, expect, it } from "vitest";
import oneWayImports from "../../lint/one-way-imports.js";

// The layer rules run on a throwaway project laid out like ours, so a deliberate cycle or a
// wrong-way import can be planted without ever being committed.
let root = "";
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function lint(files: Record<string, string>): Promise<{ file: string; rule: string | null; message: string }[]> {
  root = await mkdtemp(join(tmpdir(), "drawbridge-lint-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser },
        plugins: { drawbridge: oneWayImports },
        rules: { "drawbridge/import-cycle": "error", "drawbridge/layer-boundary": "error" },
      },
    ],
  });
  const results = await eslint.lintFiles(Object.keys(files));
  return results.flatMap((result) =>
    result.messages.map((m) => ({ file: result.filePath.slice(root.length + 1), rule: m.ruleId, message: m.message })),
  );
}

describe("npm run lint keeps the layers one way", () => {
  it("passes a project whose imports read one way", async () => {
    const problems = await lint({
      "worker/gatekeeper/gate.ts": `import { plan } from "../conversation/plan.js";\nexport const gate = plan;\n`,
      "worker/conversation/plan.ts": `import type { Stub } from "../objects/stubs.js";\nexport const plan = 1 as unknown as Stub;\n`,
      "worker/objects/stubs.ts": `export type Stub = { ok: true };\n`,
      "shared/limits.ts": `export const limit = 3;\n`,
    });
    expect(problems).toEqual([]);
  });

  it("fails a cycle closed only by a type import, naming the chain", async () => {
    const problems = await lint({
      "worker/tunnel/late.ts": `import { gatekeeperFor } from "../gatekeeper/client.js";\nexport const late = gatekeeperFor;\n`,
      "worker/gatekeeper/client.ts": `import type { Hub } from "../tunnel/hub.js";\nexport const gatekeeperFor = (h: Hub) => h;\n`,
      "worker/tunnel/hub.ts": `import { late } from "./late.js";\nexport type Hub = typeof late;\n`,
    });
    expect(problems.map((p) => p.rule)).toEqual(["drawbridge/import-cycle", "drawbridge/import-cycle", "drawbridge/import-cycle"]);
    expect(problems.find((p) => p.file === "worker/tunnel/late.ts")?.message).toContain(
      "worker/tunnel/late.ts → worker/gatekeeper/client.ts → worker/tunnel/hub.ts → worker/tunnel/late.ts",
    );
  });

  it("fails a re-export cycle and a dynamic import cycle", async () => {
    const problems = await lint({
      "shared/a.ts": `export * from "./b.js";\n`,
      "shared/b.ts": `export const b = () => import("./a.js");\n`,
    });
    expect(problems.filter((p) => p.rule === "drawbridge/import-cycle")).toHaveLength(2);
  });

  it("fails worker/ ↔ runner/ imports, type-only ones included", async () => {
    const problems = await lint({
      "worker/app.ts": `import type { Journal } from "../runner/journal.js";\nexport type App = Journal;\n`,
      "runner/journal.ts": `export type Journal = string;\n`,
      "runner/cli.ts": `import { app } from "../worker/index.js";\nexport const cli = app;\n`,
      "worker/index.ts": `export const app = 1;\n`,
    });
    expect(problems.map((p) => `${p.file}: ${p.rule}`).sort()).toEqual([
      "runner/cli.ts: drawbridge/layer-boundary",
      "worker/app.ts: drawbridge/layer-boundary",
    ]);
  });

  it("fails shared/ importing upward or a node: module, and product code importing tests", async () => {
    const problems = await lint({
      "shared/policy.ts": `import { readFileSync } from "node:fs";\nimport type { Env } from "../worker/env.js";\nexport const p = [readFileSync] as unknown as Env;\n`,
      "worker/env.ts": `import { fake } from "../test/support/fake.js";\nexport type Env = typeof fake;\n`,
      "test/support/fake.ts": `export const fake = 1;\n`,
    });
    expect(problems.map((p) => p.message).sort()).toEqual([
      expect.stringContaining("shared/ must not import node:fs"),
      expect.stringContaining("shared/ must not import worker/"),
      expect.stringContaining("worker/ must not import test/"),
    ]);
  });
});
