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

/** Which container (and which private workspace) a call uses. */
export type SandboxScope = "session" | "agent" | "shared";
/** `none`: a private workspace per scope; `ro`/`rw`: the user's workspace, read-only or writable. */
export type WorkspaceAccess = "none" | "ro" | "rw";

/** The workspace a scope's calls see: its host directory and whether tools may change it. */
export type ScopeWorkspace = { hostPath: string; access: "ro" | "rw" };

/**
 * Where tool commands run. Docker is the one implementation today; the interface keeps
 * the tunnel and tools independent of it (and lets another backend plug in).
 */
export interface SandboxRuntime {
  /**
   * Runs `command` with `/bin/sh -c` in the session's sandbox (per its scope), creating or reusing
   * it. Aborting `signal` stops it as the time limit would; the output then says `cancelled`.
   */
  exec(session: string, command: string, timeoutMs: number, signal?: AbortSignal): Promise<ExecOutput>;
  /** The workspace the session's sandbox has mounted at /workspace (created if private and missing). */
  workspaceFor(session: string): Promise<ScopeWorkspace>;
  /** Stops and removes every sandbox this runtime created. Safe to call twice. */
  removeAll(): Promise<void>;
}

export class SandboxError extends Error {
  override readonly name = "SandboxError";
}
