import type Docker from "dockerode";
import { SandboxError } from "./sandbox-runtime.js";

/** Builds the sandbox image from a Dockerfile (needs a registry for its FROM, unless the base is local). */
export async function buildFromDockerfile(docker: Docker, contextDir: string, image: string): Promise<void> {
  let progress: NodeJS.ReadableStream;
  try {
    progress = await docker.buildImage(
      { context: contextDir, src: ["Dockerfile"] },
      { t: image, labels: { "dev.drawbridge.managed": "true" } },
    );
  } catch (error) {
    throw new SandboxError(`docker build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (error, results: Array<{ error?: string }>) => {
      const failed = error?.message ?? results.find((step) => step.error)?.error;
      if (failed) reject(new SandboxError(`docker build failed: ${failed}`));
      else resolve();
    });
  });
}
