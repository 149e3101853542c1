import type Docker from "dockerode";

/** Where the executor image (executor-image.ts) holds its execute-only busybox. Named busybox so it runs as busybox itself. */
export const EXECUTOR_BINARY = "/opt/drawbridge/busybox";

/** The shell every exec's wrapper runs in, in a container of the derived image: non-dumpable, so a command cannot write its memory. */
export const WRAPPER_SHELL = [EXECUTOR_BINARY, "sh"] as const;

/**
 * Who the container's own processes (its init and idle process) are, in every sandbox container: a
 * second unprivileged uid with no capabilities, not the sandbox user, so a command can neither
 * signal them nor write their memory (/proc/1/mem) to make one of them — which every sweep spares —
 * into a process that outlives its call. Every exec still runs as the sandbox user.
 */
export const CONTAINER_OWNER = "10002:10002";

/** The sandbox container spec made an executor container: the executor image, its own processes under CONTAINER_OWNER. */
export function executorContainerSpec(spec: Docker.ContainerCreateOptions, executorImage: string): Docker.ContainerCreateOptions {
  return { ...spec, Image: executorImage, User: CONTAINER_OWNER };
}
