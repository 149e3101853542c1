import { createHash } from "node:crypto";
import type { ContainerCreateOptions, HostConfig } from "dockerode";
import { appArmorSecurityOpt } from "./apparmor.js";
import { CONTAINER_OWNER, executorContainerSpec } from "./executor-container.js";
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
  /** "kept" when runner.json lets a call's background processes outlive it; `sandbox list` shows it. */
  background: "dev.drawbridge.background",
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
  /** A call's background processes outlive it (runner.json); off unless set. */
  keepBackground?: boolean | undefined;
  /** The AppArmor profile it is confined by; undefined on a host without AppArmor. */
  appArmorProfile?: string | undefined;
  /** The derived image (executor-image.ts): its execute-only busybox runs each exec's wrapper non-dumpable, and the resident executor. */
  executorImage?: string | undefined;
  /** Calls go through a resident executor (runner.json `sandbox.residentExecutor`). */
  residentExecutor?: boolean | undefined;
};

/** Bump when the hardening below changes, so running containers of the old recipe are recreated. */
const RECIPE = 3;

export function shapeDigest(shape: ContainerShape): string {
  const { image, limits, workspace } = shape;
  const mount = workspace.private ? "private" : `${workspace.hostPath}:${workspace.readOnly ? "ro" : "rw"}`;
  const keep = shape.keepBackground === true;
  const appArmor = shape.appArmorProfile ?? null;
  const executor = shape.executorImage !== undefined ? { executor: shape.executorImage, resident: shape.residentExecutor === true } : {};
  return createHash("sha256")
    .update(JSON.stringify({ recipe: RECIPE, image, limits, mount, keep, appArmor, ...executor }))
    .digest("hex")
    .slice(0, 16);
}

/**
 * The hardened container every sandbox is: no network, read-only root, a small noexec
 * tmpfs, no capabilities, no privilege gain, non-root, bounded pids/memory/cpu/files,
 * an init to reap zombies, and from the host at most the scope's workspace (checked before).
 * Without `workspace` nothing is mounted; without `name` the scope's container name is used.
 */
export function sandboxContainerSpec(options: {
  image: string;
  runner: string;
  scope: string;
  limits: SandboxLimits;
  workspace?: ContainerShape["workspace"];
  name?: string;
  pool?: boolean;
  keepBackground?: boolean | undefined;
  appArmorProfile?: string | undefined;
  executorImage?: string | undefined;
  residentExecutor?: boolean | undefined;
}): ContainerCreateOptions {
  const { image, runner, scope, limits, workspace, pool, keepBackground, appArmorProfile, executorImage, residentExecutor } = options;
  const name = options.name ?? containerName(runner, scope);
  const digest = shapeDigest({
    image,
    limits,
    workspace: workspace ?? { hostPath: "", readOnly: true, private: false },
    keepBackground,
    appArmorProfile,
    executorImage,
    residentExecutor,
  });
  // CgroupnsMode is missing from @types/dockerode; the engine (API 1.41+) knows it.
  const hostConfig: HostConfig & { CgroupnsMode: "private" } = {
    NetworkMode: "none",
    ReadonlyRootfs: true,
    Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${limits.tmpfsBytes}` },
    Binds: workspace ? [`${workspace.hostPath}:${WORKSPACE_MOUNT}:${workspace.readOnly ? "ro" : "rw"},rprivate`] : [],
    CapDrop: ["ALL"],
    // The profile is named, not left to the engine's default, so the hardening check can hold it to it (docker-bench 5.2).
    SecurityOpt: ["no-new-privileges", ...appArmorSecurityOpt(appArmorProfile)],
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
    // The engine's default on cgroup v1 is the host's cgroup namespace; the sandbox gets its own.
    CgroupnsMode: "private",
    Devices: [],
    RestartPolicy: { Name: "no" },
  };
  const spec: ContainerCreateOptions = {
    name,
    Image: image,
    // The container idles; every tool call is an exec inside it.
    Cmd: ["/bin/sleep", "2147483647"],
    // Init and the idle process, which every sweep spares, are not the sandbox user's to signal or write (/proc/1/mem).
    User: CONTAINER_OWNER,
    WorkingDir: WORKSPACE_MOUNT,
    Env: SANDBOX_ENV,
    Labels: {
      [LABEL.managed]: "true",
      [LABEL.runner]: runner,
      [LABEL.scope]: scope,
      [LABEL.config]: digest,
      ...(pool ? { [LABEL.pool]: "true" } : {}),
      ...(keepBackground ? { [LABEL.background]: "kept" } : {}),
    },
    NetworkDisabled: true,
    HostConfig: hostConfig,
  };
  return executorImage === undefined ? spec : executorContainerSpec(spec, executorImage);
}
