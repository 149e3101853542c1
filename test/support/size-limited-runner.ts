import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { JWK } from "jose";
import { pinGatewayKey } from "../../runner/identity/gateway-key.js";
import { generateRunnerKey } from "../../runner/identity/runner-key.js";
import type { HostileGateway } from "./hostile-gateway.js";
import { publicHalf } from "./signed-call.js";

const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");

export type SizeLimitedRunner = {
  child: ChildProcess;
  /** The runner's stdout lines (its JSON log). */
  log: string[];
  /** Everything it wrote to stderr. */
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * The real runner (`drawbridge runner`) as its own process, under an RLIMIT_FSIZE of
 * `maxFileBytes` (set by util-linux's prlimit): a write that would grow a file past it fails
 * in the kernel with EFBIG, the way a full disk fails with ENOSPC, after writing what fits.
 * Node ignores SIGXFSZ, so the write fails instead of the signal killing the process. Root
 * cannot be stopped by permission bits, and this needs no mount. `stateDir` is the test's,
 * seeded beforehand; the runner key and the pinned gateway key are written here.
 */
export async function startSizeLimitedRunner(
  gateway: HostileGateway,
  options: { runner: string; gatewayJwk: JWK; stateDir: string; maxFileBytes: number },
): Promise<SizeLimitedRunner> {
  await generateRunnerKey(join(options.stateDir, "runner-key.json"));
  await pinGatewayKey(options.stateDir, publicHalf(options.gatewayJwk));
  const env = {
    ...process.env,
    DRAWBRIDGE_STATE_DIR: options.stateDir,
    DRAWBRIDGE_RUNNER_NAME: options.runner,
    DRAWBRIDGE_GATEWAY_URL: await gateway.start(options.runner),
  };
  const connected = gateway.waitForRunner();
  const child = spawn("prlimit", [`--fsize=${options.maxFileBytes}`, "--", process.execPath, "--import", "tsx", cliEntry, "runner"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  let stderr = "";
  createInterface({ input: child.stdout }).on("line", (line) => log.push(line));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  // A runner that dies before it dials in fails the test with its own words, not a timeout.
  await Promise.race([
    connected,
    exited.then(({ code }) => Promise.reject(new Error(`the runner exited (${code}) before connecting: ${stderr}`))),
  ]);
  return { child, log, stderr: () => stderr, exited };
}
