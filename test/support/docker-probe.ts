import Docker from "dockerode";
import { LABEL } from "../../runner/sandbox/container-spec.js";

export const docker = new Docker();

/** Every container (running or not) that a given runner created. */
export async function containersOf(runner: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.runner}=${runner}`] } });
}
