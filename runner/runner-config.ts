import { join, resolve } from "node:path";
import { z } from "zod";
import { RunnerName } from "../shared/tunnel/protocol.js";

/** Where the runner keeps its key, local secrets and journal. Relative to where it is started. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DRAWBRIDGE_STATE_DIR ?? ".drawbridge");
}

const RunnerEnv = z.object({
  DRAWBRIDGE_GATEWAY_URL: z.url({ protocol: /^https?$/, error: "DRAWBRIDGE_GATEWAY_URL must be the gateway's http(s) URL" }),
  DRAWBRIDGE_RUNNER_NAME: RunnerName.default("home"),
  DRAWBRIDGE_RUNNER_KEY: z.string().optional(),
  DRAWBRIDGE_SANDBOX_IMAGE: z.string().optional(),
  DRAWBRIDGE_RUNNER_CONFIG: z.string().optional(),
});

export type RunnerConfig = {
  gatewayUrl: string;
  runner: string;
  keyPath: string;
  image: string | undefined;
  stateDir: string;
  /** The runner config file (local policy floor, sandbox); `configExplicit` when named by DRAWBRIDGE_RUNNER_CONFIG. */
  configPath: string;
  configExplicit: boolean;
};

export class RunnerConfigError extends Error {
  override readonly name = "RunnerConfigError";
}

export function loadRunnerConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const parsed = RunnerEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunnerConfigError(`${String(issue?.path[0] ?? "config")}: ${issue?.message ?? "invalid"}`);
  }
  const data = parsed.data;
  return {
    gatewayUrl: data.DRAWBRIDGE_GATEWAY_URL,
    runner: data.DRAWBRIDGE_RUNNER_NAME,
    keyPath: data.DRAWBRIDGE_RUNNER_KEY ?? join(stateDir(env), "runner-key.json"),
    image: data.DRAWBRIDGE_SANDBOX_IMAGE,
    stateDir: stateDir(env),
    configPath: resolve(data.DRAWBRIDGE_RUNNER_CONFIG ?? join(stateDir(env), "runner.json")),
    configExplicit: data.DRAWBRIDGE_RUNNER_CONFIG !== undefined,
  };
}
