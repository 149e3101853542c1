import Docker from "dockerode";
import { appArmorHostLine, detectAppArmor } from "../sandbox/apparmor.js";
import { LABEL } from "../sandbox/container-spec.js";
import { removeQuietly } from "../sandbox/docker-sandbox.js";
import { buildFromDockerfile } from "../sandbox/dockerfile-build.js";
import { privateRootOf, readClaims } from "../sandbox/pool-claims.js";
import { ensureSandboxImage, SANDBOX_IMAGE } from "../sandbox/sandbox-image.js";
import { stateDir as defaultStateDir } from "../runner-config.js";
import type { Command } from "./command.js";

/** `drawbridge sandbox …` for the command table; each one runs through sandboxCommand below. */
export function sandboxCommands(): Command[] {
  const run = async (args: string[], say: (line: string) => void): Promise<void> => {
    if (!(await sandboxCommand(args, say))) throw new Error(`sandbox ${args.join(" ")}: not a sandbox command`);
  };
  return [
    {
      words: "sandbox build",
      summary: "build the sandbox image locally (no registry needed)",
      options: { dockerfile: { type: "string", help: "<dir>: build from <dir>/Dockerfile instead (registry needed for FROM)" } },
      run: ({ options, say }) =>
        run(typeof options.dockerfile === "string" ? ["build", "--dockerfile", options.dockerfile] : ["build"], say),
    },
    { words: "sandbox list", summary: "show Drawbridge's sandbox images and containers", run: ({ say }) => run(["list"], say) },
    {
      words: "sandbox prune",
      summary: "remove stopped sandbox containers and old sandbox images",
      options: { all: { type: "boolean", help: "also remove running sandbox containers (runners recreate them on demand)" } },
      run: ({ options, say }) => run(options.all === true ? ["prune", "--all"] : ["prune"], say),
    },
  ];
}

/**
 * `drawbridge sandbox …`. Returns false for an unknown subcommand. `stateDir` is where `list` finds
 * the scopes of warm-pool containers; `hasAppArmor` (injectable for tests) whether to show profiles.
 */
export async function sandboxCommand(
  args: string[],
  out: (line: string) => void,
  docker = new Docker(),
  stateDir = defaultStateDir(),
  hasAppArmor: () => Promise<boolean> = () => detectAppArmor(docker),
): Promise<boolean> {
  const [sub, ...rest] = args;
  if (sub === "build" && rest.length === 0) {
    const built = await ensureSandboxImage(docker, { force: true });
    out(built ? `Sandbox image ${SANDBOX_IMAGE} built.` : `Sandbox image ${SANDBOX_IMAGE} already present.`);
    return true;
  }
  if (sub === "build" && rest[0] === "--dockerfile" && rest[1] && rest.length === 2) {
    await buildFromDockerfile(docker, rest[1], SANDBOX_IMAGE);
    out(`Sandbox image ${SANDBOX_IMAGE} built from ${rest[1]}/Dockerfile.`);
    return true;
  }
  if (sub === "list" && rest.length === 0) {
    await list(docker, out, stateDir, await hasAppArmor());
    return true;
  }
  if (sub === "prune" && (rest.length === 0 || (rest.length === 1 && rest[0] === "--all"))) {
    await prune(docker, out, rest[0] === "--all");
    return true;
  }
  return false;
}

async function list(docker: Docker, out: (line: string) => void, stateDir: string, appArmor: boolean): Promise<void> {
  const images = await docker.listImages({ filters: { label: [`${LABEL.managed}=true`] } });
  out("IMAGES");
  for (const image of images) out(`  ${(image.RepoTags ?? ["<untagged>"]).join(", ")}  ${image.Id.slice(7, 19)}  ${mib(image.Size)}`);
  if (images.length === 0) out("  (none; run `drawbridge sandbox build`)");
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`] } });
  out("CONTAINERS");
  const claims = new Map<string, Record<string, string>>();
  for (const c of containers) {
    const runner = c.Labels[LABEL.runner] ?? "?";
    const name = (c.Names[0] ?? c.Id).replace(/^\//, "");
    let scope = c.Labels[LABEL.scope] ?? "?";
    if (c.Labels[LABEL.pool]) {
      // A pool container's labels were set before it had a scope; its runner noted the scope it was taken for.
      const root = privateRootOf(stateDir, runner);
      if (root && !claims.has(runner)) claims.set(runner, await readClaims(root));
      const taken = claims.get(runner)?.[c.Id];
      scope = taken
        ? `${taken} (from the warm pool)`
        : /-pool-[0-9a-f]+$/.test(name)
          ? "(warm pool, not taken yet)"
          : "? (from the warm pool)";
    }
    const kept = c.Labels[LABEL.background] === "kept" ? "  (background processes kept: runner.json sandbox.keepBackgroundProcesses)" : "";
    const profile = appArmor ? `  apparmor=${await profileOf(docker, c.Id)}` : "";
    out(`  ${name}  runner=${runner}  scope=${scope}  ${c.State}  ${c.Status}${profile}${kept}`);
  }
  if (containers.length === 0) out("  (none)");
  out(appArmorHostLine(appArmor));
}

async function prune(docker: Docker, out: (line: string) => void, all: boolean): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`] } });
  const doomed = containers.filter((c) => all || c.State !== "running");
  await Promise.all(doomed.map((c) => removeQuietly(docker.getContainer(c.Id))));
  out(`Removed ${doomed.length} container(s).`);
  const inUse = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
  const images = await docker.listImages({ filters: { label: [`${LABEL.managed}=true`] } });
  let removed = 0;
  for (const image of images) {
    if ((image.RepoTags ?? []).includes(SANDBOX_IMAGE) || inUse.has(image.Id)) continue;
    try {
      await docker.getImage(image.Id).remove({ force: false });
      removed++;
    } catch {
      // Another tag or a container still uses it; leaving it is the safe side.
    }
  }
  out(`Removed ${removed} old image(s); kept ${SANDBOX_IMAGE}.`);
}

/** The AppArmor profile the engine confines a container by, flagged when there is none. */
async function profileOf(docker: Docker, id: string): Promise<string> {
  const info = await docker
    .getContainer(id)
    .inspect()
    .catch(() => undefined);
  if (!info) return "? (gone)";
  return info.AppArmorProfile ? info.AppArmorProfile : "none (want a profile)";
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
