import type { ExecOutput } from "../../shared/tools/exec.js";

/** Resource limits of one sandbox container and of each exec inside it. */
export type SandboxLimits = {
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
  tmpfsBytes: number;
  nofile: number;
  nproc: number;
  /** Per-stream byte cap on what an exec returns. */
  outputBytes: number;
};

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 256 * 1024 * 1024,
  nanoCpus: 1_000_000_000,
  pidsLimit: 128,
  tmpfsBytes: 64 * 1024 * 1024,
  nofile: 1024,
  nproc: 256,
  outputBytes: 64 * 1024,
};

/**
 * Where tool commands run. Docker is the one implementation today; the interface keeps
 * the tunnel and tools independent of it (and lets another backend plug in).
 */
export interface SandboxRuntime {
  /** Runs `command` with `/bin/sh -c` in the scope's sandbox, creating or reusing it. */
  exec(scope: string, command: string, timeoutMs: number): Promise<ExecOutput>;
  /** Stops and removes every sandbox this runtime created. Safe to call twice. */
  removeAll(): Promise<void>;
}

export class SandboxError extends Error {
  override readonly name = "SandboxError";
}
