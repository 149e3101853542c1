import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureLocalSecrets } from "../../runner/local-stack/local-secrets.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("npm start and the WhatsApp channel", () => {
  it("passes every WHATSAPP_* setting through from the environment, stores none, and generates none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drawbridge-secrets-"));
    dirs.push(dir);
    const env = {
      WHATSAPP_APP_SECRET: "app-secret-for-tests",
      WHATSAPP_VERIFY_TOKEN: "verify-token-for-tests",
      WHATSAPP_ACCESS_TOKEN: "EAAG-access-token-for-tests",
      WHATSAPP_PHONE_NUMBER_ID: "106540352242922",
      WHATSAPP_API_ROOT: "http://127.0.0.1:9/v26.0",
    };
    const lines = (await readFile((await ensureLocalSecrets(dir, env)).envFile, "utf8")).split("\n");
    for (const [name, value] of Object.entries(env)) expect(lines).toContain(`${name}='${value}'`);
    const stored = await readFile(join(dir, "local-secrets.json"), "utf8");
    for (const value of Object.values(env)) expect(stored).not.toContain(value);

    // Unset in the environment: the channel stays off (nothing made up for it).
    const again = await readFile((await ensureLocalSecrets(dir, {})).envFile, "utf8");
    expect(again).not.toContain("WHATSAPP_");
  });
});
