import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { spawnLogged } from "./child-process.js";

export type LocalGateway = { url: string; child: ChildProcess; logPath: string };

const projectRoot = join(import.meta.dirname, "..", "..");

/**
 * What of wrangler's output reaches the terminal: its warnings and errors, one line each and without
 * the yellow and red blocks; stack traces and blank lines stay in the log file only.
 */
export function gatewayLine(line: string): string | null {
  if (line.trim() === "" || /^\s+at /.test(line)) return null;
  const block = /^\s*(?:▲|✘)\s*\[(WARNING|ERROR)\]\s*(.*)$/.exec(line);
  if (block) return `[gateway] ${block[1] === "ERROR" ? "error" : "warning"}: ${block[2] ?? ""}`;
  return `[gateway] ${line.trim()}`;
}

/**
 * Starts the Worker in workerd via `wrangler dev` with local Durable Object storage, and waits for /healthz.
 * `sourceDir` runs a copy of the project (tests: a snapshot that no edit reloads) instead of this one.
 * Its whole output goes to `logPath` (default: gateway.log beside the env file).
 */
export async function startLocalGateway(options: {
  port: number;
  envFile: string;
  persistDir: string;
  sourceDir?: string;
  logPath?: string;
}): Promise<LocalGateway> {
  const logPath = options.logPath ?? join(dirname(options.envFile), "gateway.log");
  const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawnLogged(
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
    {
      cwd: options.sourceDir ?? projectRoot,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        // Miniflare otherwise fetches a sample `Request.cf` from workers.cloudflare.com at every start, and
        // offline prints a warning with a stack trace for it; the Worker never reads `request.cf`.
        CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
      },
    },
    logPath,
    gatewayLine,
  );
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) =>
      reject(new Error(`wrangler dev exited (code ${code}) before the gateway answered; its full output: ${logPath}`)),
    ),
  );
  await Promise.race([waitForHealth(url, 90_000, logPath), exited]);
  return { url, child, logPath };
}

async function waitForHealth(url: string, timeoutMs: number, logPath: string): Promise<void> {
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
  throw new Error(`the gateway did not answer ${url}/healthz within ${timeoutMs / 1000}s; its full output: ${logPath}`);
}
