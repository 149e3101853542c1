import { createHash } from "node:crypto";
import type { ContainerCreateOptions } from "dockerode";
import type { SandboxLimits } from "./sandbox-runtime.js";
import { scopeDigest } from "./sandbox-scope.js";

/** Labels that mark a container as Drawbridge's; the reaper finds orphans by them. */
export const LABEL = {
  managed: "dev.drawbridge.managed",
  runner: "dev.drawbridge.runner",
  scope: "dev.drawbridge.scope",
  /** Digest of everything that shapes the container; a different one means "recreate". */
  config: "dev.drawbridge.config",
  /** Set on warm-pool containers: started before any scope asked for them. */
  pool: "dev.drawbridge.pool",
} as const;

/** The unprivileged user the sandbox image defines; commands never run as root. */
export const SANDBOX_USER = "10001:10001";
export const SANDBOX_UID = 10001;
/** Where the scope's workspace is mounted inside the container. */
export const WORKSPACE_MOUNT = "/workspace";
export const SANDBOX_ENV = ["PATH=/bin", "HOME=/tmp"];

export function containerName(runner: string, scopeKey: string): string {
  return `drawbridge-${runner}-${scopeDigest(scopeKey)}`;
}

/** What a container is made of, apart from its name and scope; the config label is its digest. */
export type ContainerShape = {
  image: string;
  limits: SandboxLimits;
  /** The resolved host directory mounted at /workspace. Private workspaces differ per scope and are not part of the shape. */
  workspace: { hostPath: string; readOnly: boolean; private: boolean };
};

export function shapeDigest(shape: ContainerShape): string {
  const { image, limits, workspace } = shape;
  const mount = workspace.private ? "private" : `${workspace.hostPath}:${workspace.readOnly ? "ro" : "rw"}`;
  return createHash("sha256").update(JSON.stringify({ image, limits, mount })).digest("hex").slice(0, 16);
}

/**
 * The hardened container every sandbox is: no network, read-only root, a small noexec
 * tmpfs, no capabilities, no privilege gain, non-root, bounded pids/memory/cpu/files,
 * an init to reap zombies, and from the host only the scope's workspace (checked before).
 */
export function sandboxContainerSpec(options: {
  name: string;
  runner: string;
  scope: string;
  shape: ContainerShape;
  pool?: boolean;
}): ContainerCreateOptions {
  const { name, runner, scope, shape, pool } = options;
  const { limits, workspace } = shape;
  return {
    name,
    Image: shape.image,
    // The container idles; every tool call is an exec inside it.
    Cmd: ["/bin/sleep", "2147483647"],
    User: SANDBOX_USER,
    WorkingDir: WORKSPACE_MOUNT,
    Env: SANDBOX_ENV,
    Labels: {
      [LABEL.managed]: "true",
      [LABEL.runner]: runner,
      [LABEL.scope]: scope,
      [LABEL.config]: shapeDigest(shape),
      ...(pool ? { [LABEL.pool]: "true" } : {}),
    },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: "none",
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${limits.tmpfsBytes}` },
      Binds: [`${workspace.hostPath}:${WORKSPACE_MOUNT}:${workspace.readOnly ? "ro" : "rw"},rprivate`],
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Privileged: false,
      PidsLimit: limits.pidsLimit,
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      NanoCpus: limits.nanoCpus,
      Ulimits: [
        { Name: "nofile", Soft: limits.nofile, Hard: limits.nofile },
        { Name: "nproc", Soft: limits.nproc, Hard: limits.nproc },
      ],
      Init: true,
      Devices: [],
      RestartPolicy: { Name: "no" },
    },
  };
}
