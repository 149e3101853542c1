import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createInterface } from "node:readline";
import { RUNNER_NODE_FLAGS } from "../../runner/bundle/bundle-runner.js";
import { registerRunner } from "../../runner/identity/registration.js";
import { generateRunnerKey } from "../../runner/identity/runner-key.js";
import { stopChild } from "../../runner/local-stack/child-process.js";
import { containersOf, docker } from "./docker-probe.js";
import type { TestStack } from "./test-stack.js";

/**
 * One more real runner process behind a started TestStack's gateway, as a second box would be:
 * its own name, key, state dir (a subdirectory of the stack's) and sandboxes; the stack's bundle.
 */
export class SecondRunner {
  readonly log: string[] = [];
  private child: ChildProcess | null = null;

  constructor(
    private readonly stack: TestStack,
    readonly name: string,
  ) {}

  private get stateDir(): string {
    return this.stack.stateFile(`runner-${this.name}`);
  }

  /** Registers its key with the gateway (as `drawbridge runner register` does) and starts it; resolves once its tunnel is ready. */
  async start(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    const key = await generateRunnerKey(`${this.stateDir}/runner-key.json`);
    await registerRunner(this.stack.admin(), this.stateDir, this.name, key);
    const child = spawn(process.execPath, [...RUNNER_NODE_FLAGS, this.stack.stateFile("runner.mjs")], {
      env: {
        ...process.env,
        DRAWBRIDGE_STATE_DIR: this.stateDir,
        DRAWBRIDGE_GATEWAY_URL: this.stack.url,
        DRAWBRIDGE_RUNNER_NAME: this.name,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`runner ${this.name} not ready: ${this.log.join("\n")}`)), 60_000);
      child.once("exit", (code) => reject(new Error(`runner ${this.name} exited (${code}): ${this.log.join("\n")}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        this.log.push(line);
        if (line.includes('"event":"tunnel.ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** Stops it (Ctrl-C: it removes its containers), and removes any container it left behind. */
  async stop(): Promise<void> {
    await stopChild(this.child ?? undefined, "SIGINT");
    this.child = null;
    await removeContainersOf(this.name);
  }
}

/** Removes a runner's sandbox containers (one that was killed could not). */
export async function removeContainersOf(runner: string): Promise<void> {
  for (const info of await containersOf(runner))
    await docker
      .getContainer(info.Id)
      .remove({ force: true })
      .catch(() => {});
}
