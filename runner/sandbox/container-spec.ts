import { createHash } from "node:crypto";
import type { ContainerCreateOptions } from "dockerode";
import type { SandboxLimits } from "./sandbox-runtime.js";

/** Labels that mark a container as Drawbridge's; the reaper finds orphans by them. */
export const LABEL = {
  managed: "dev.drawbridge.managed",
  runner: "dev.drawbridge.runner",
  scope: "dev.drawbridge.scope",
} as const;

/** The unprivileged user the sandbox image defines; commands never run as root. */
export const SANDBOX_USER = "10001:10001";

export function containerName(runner: string, scope: string): string {
  const digest = createHash("sha256").update(scope).digest("hex").slice(0, 16);
  return `drawbridge-${runner}-${digest}`;
}

/**
 * The hardened container every sandbox is: no network, read-only root, a small noexec
 * tmpfs, no capabilities, no privilege gain, non-root, bounded pids/memory/cpu/files,
 * an init to reap zombies, and nothing from the host mounted.
 */
export function sandboxContainerSpec(options: {
  image: string;
  runner: string;
  scope: string;
  limits: SandboxLimits;
}): ContainerCreateOptions {
  const { image, runner, scope, limits } = options;
  return {
    name: containerName(runner, scope),
    Image: image,
    // The container idles; every tool call is an exec inside it.
    Cmd: ["/bin/sleep", "2147483647"],
    User: SANDBOX_USER,
    WorkingDir: "/tmp",
    Env: ["PATH=/bin", "HOME=/tmp"],
    Labels: { [LABEL.managed]: "true", [LABEL.runner]: runner, [LABEL.scope]: scope },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: "none",
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${limits.tmpfsBytes}` },
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
      Binds: [],
      Devices: [],
      RestartPolicy: { Name: "no" },
    },
  };
}
