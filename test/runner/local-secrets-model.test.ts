import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureLocalSecrets } from "../../runner/local-stack/local-secrets.js";

const dirs: string[] = [];
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "drawbridge-secrets-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const KEY = "sk-local-secrets-test-0123456789";

describe("the local stack's env file and the model settings", () => {
  it("takes DRAWBRIDGE_MODEL, its base URL and its key from the environment, and never stores the key", async () => {
    const dir = await stateDir();
    const env = { DRAWBRIDGE_MODEL: "openai:gpt-x", DRAWBRIDGE_MODEL_BASE_URL: "http://127.0.0.1:1234/v1", DRAWBRIDGE_MODEL_API_KEY: KEY };
    const { envFile } = await ensureLocalSecrets(dir, env);
    const lines = (await readFile(envFile, "utf8")).split("\n");
    expect(lines).toContain("DRAWBRIDGE_MODEL='openai:gpt-x'");
    expect(lines).toContain("DRAWBRIDGE_MODEL_BASE_URL='http://127.0.0.1:1234/v1'");
    expect(lines).toContain(`DRAWBRIDGE_MODEL_API_KEY='${KEY}'`);
    expect(await readFile(join(dir, "local-secrets.json"), "utf8")).not.toContain(KEY);

    // Dropped from the environment, dropped from the next start: nothing was remembered.
    const again = await readFile((await ensureLocalSecrets(dir, {})).envFile, "utf8");
    expect(again).not.toContain("DRAWBRIDGE_MODEL");
  });

  it("passes DRAWBRIDGE_HOOKS and each HOOK_<NAME>_SECRET through from the environment, and never stores them", async () => {
    const dir = await stateDir();
    const hooks = JSON.stringify({ deploys: { verify: "standard-webhooks" } });
    const env = { DRAWBRIDGE_HOOKS: hooks, HOOK_DEPLOYS_SECRET: "whsec_c2VjcmV0LWZvci10ZXN0cw==", HOOKS_UNRELATED: "x" };
    const lines = (await readFile((await ensureLocalSecrets(dir, env)).envFile, "utf8")).split("\n");
    expect(lines).toContain(`DRAWBRIDGE_HOOKS='${hooks}'`);
    expect(lines).toContain("HOOK_DEPLOYS_SECRET='whsec_c2VjcmV0LWZvci10ZXN0cw=='");
    expect(lines.some((line) => line.startsWith("HOOKS_UNRELATED"))).toBe(false);
    expect(await readFile(join(dir, "local-secrets.json"), "utf8")).not.toContain("whsec_");
  });

  it("leaves out empty settings, and vars (what npm start chose) win over the environment", async () => {
    const { envFile } = await ensureLocalSecrets(
      await stateDir(),
      { DRAWBRIDGE_MODEL: "openai:from-env", DRAWBRIDGE_MODEL_BASE_URL: "  ", DRAWBRIDGE_MODEL_API_KEY: "" },
      { DRAWBRIDGE_MODEL: "home:llama3" },
    );
    const text = await readFile(envFile, "utf8");
    expect(text.split("\n").filter((line) => line.startsWith("DRAWBRIDGE_MODEL"))).toEqual(["DRAWBRIDGE_MODEL='home:llama3'"]);
  });
});
