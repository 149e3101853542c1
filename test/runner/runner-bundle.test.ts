import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRunner, RUNNER_NODE_FLAGS } from "../../runner/bundle/bundle-runner.js";

const dir = await mkdtemp(join(tmpdir(), "drawbridge-bundle-"));
const bundle = join(dir, "runner.mjs");
let text = "";
beforeAll(async () => {
  await bundleRunner(bundle);
  text = await readFile(bundle, "utf8");
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the bundled runner as `npm start` does, with an empty state dir; resolves with its exit code and stderr. */
function runBundle(stateDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...RUNNER_NODE_FLAGS, bundle], {
      env: { ...process.env, DRAWBRIDGE_STATE_DIR: stateDir, DRAWBRIDGE_GATEWAY_URL: "http://127.0.0.1:9", DRAWBRIDGE_RUNNER_NAME: "home" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("the bundled runner (its memory footprint)", () => {
  it("is plain ASCII, so V8 keeps its source at one byte per character", () => {
    expect(text.length).toBeGreaterThan(100_000);
    expect([...text].filter((char) => char.charCodeAt(0) > 0x7f)).toEqual([]);
  });

  it("carries neither protobufjs nor zod's non-English messages", () => {
    // protobufjs's own error text, and zod's Dutch locale: both were in the bundle before.
    expect(text).not.toContain("no such type");
    expect(text).not.toContain("Ongeldige invoer");
  });

  it("still loads all its code: it starts and asks for its key (zod's English messages included)", async () => {
    const stateDir = join(dir, "state");
    const { code, stderr } = await runBundle(stateDir);
    expect(code).toBe(1);
    expect(stderr).toContain("no runner key");
  });
});
