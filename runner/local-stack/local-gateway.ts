import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { spawnPrefixed } from "./child-process.js";

export type LocalGateway = { url: string; child: ChildProcess };

const projectRoot = join(import.meta.dirname, "..", "..");

/**
 * Starts the Worker in workerd via `wrangler dev` with local Durable Object storage, and waits for /healthz.
 * `sourceDir` runs a copy of the project (tests: a snapshot that no edit reloads) instead of this one.
 */
export async function startLocalGateway(options: {
  port: number;
  envFile: string;
  persistDir: string;
  sourceDir?: string;
}): Promise<LocalGateway> {
  const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawnPrefixed(
    "gateway",
    process.execPath,
    [
      wrangler,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--env-file",
      options.envFile,
      "--persist-to",
      options.persistDir,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
    ],
    { cwd: options.sourceDir ?? projectRoot, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) =>
      reject(new Error(`wrangler dev exited (code ${code}) before the gateway answered; see the [gateway] lines above`)),
    ),
  );
  await Promise.race([waitForHealth(url, 90_000), exited]);
  return { url, child };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the gateway did not answer ${url}/healthz within ${timeoutMs / 1000}s`);
}
