import { execFile, spawn } from "node:child_process";
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type Docker from "dockerode";
import { SandboxError } from "./sandbox-runtime.js";

/** Bump when the rootfs recipe changes, so existing runners rebuild. */
export const SANDBOX_IMAGE = "drawbridge-sandbox:busybox-2";
const BUSYBOX_CANDIDATES = ["/bin/busybox", "/usr/bin/busybox"];

const run = promisify(execFile);

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the sandbox image with no registry: a rootfs holding a static busybox, its
 * applet links, an unprivileged `sandbox` user (uid 10001), an empty /tmp and /workspace, imported
 * with the Engine's import endpoint. Returns false when the image was already there.
 */
export async function ensureSandboxImage(
  docker: Docker,
  options: { image?: string; busybox?: string; force?: boolean } = {},
): Promise<boolean> {
  const image = options.image ?? SANDBOX_IMAGE;
  if (!options.force && (await imageExists(docker, image))) return false;
  const busybox = options.busybox ?? (await findStaticBusybox());
  const root = await mkdtemp(join(tmpdir(), "drawbridge-rootfs-"));
  try {
    await mkdir(join(root, "bin"));
    await mkdir(join(root, "etc"));
    await mkdir(join(root, "tmp"));
    await chmod(join(root, "tmp"), 0o1777);
    // The mount point of the scope's workspace (the root filesystem is read-only at run time).
    await mkdir(join(root, "workspace"));
    await chmod(join(root, "workspace"), 0o755);
    await copyFile(busybox, join(root, "bin/busybox"));
    await chmod(join(root, "bin/busybox"), 0o755);
    const { stdout } = await run(busybox, ["--list"]);
    for (const applet of stdout.split("\n").filter((name) => /^[a-z0-9_.[-]+$/.test(name) && name !== "busybox")) {
      await symlink("busybox", join(root, "bin", applet));
    }
    await writeFile(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/false\nsandbox:x:10001:10001:sandbox:/tmp:/bin/sh\n");
    await writeFile(join(root, "etc/group"), "root:x:0:\nsandbox:x:10001:\n");
    await importRootfs(docker, root, image);
    return true;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function findStaticBusybox(): Promise<string> {
  for (const path of BUSYBOX_CANDIDATES) {
    try {
      await access(path);
    } catch {
      continue;
    }
    if (isStaticElf(await readFile(path))) return path;
  }
  throw new SandboxError("no static busybox found; install it (Debian: `apt-get install busybox-static`)");
}

/** A dynamically linked binary has a PT_INTERP program header naming its loader; it would not run in an empty rootfs. */
function isStaticElf(bytes: Buffer): boolean {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 2) return false; // ELF64 only
  const phoff = Number(bytes.readBigUInt64LE(0x20));
  const phentsize = bytes.readUInt16LE(0x36);
  const phnum = bytes.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > bytes.length) return false;
    if (bytes.readUInt32LE(at) === 3) return false; // PT_INTERP
  }
  return true;
}

async function importRootfs(docker: Docker, root: string, image: string): Promise<void> {
  const [repo, tag] = image.split(":");
  const tar = spawn("tar", ["-C", root, "--numeric-owner", "--owner=0", "--group=0", "-cf", "-", "."], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const progress = await docker.importImage(tar.stdout, {
    repo,
    tag,
    changes: ['LABEL dev.drawbridge.managed="true"', "USER 10001:10001"],
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (error) =>
      error ? reject(new SandboxError(`image import failed: ${error.message}`)) : resolve(),
    );
  });
  if (!(await imageExists(docker, image))) throw new SandboxError(`image import finished but ${image} is not there`);
}
