import { createHash } from "node:crypto";
import type Docker from "dockerode";
import { LABEL, SANDBOX_USER } from "./container-spec.js";
import { EXECUTOR_BINARY } from "./executor-container.js";
import { SandboxError } from "./sandbox-runtime.js";

/** On an executor image: the id of the sandbox image it was made from, so a rebuilt sandbox image makes a new one. */
const BASE_LABEL = "dev.drawbridge.executor-base";

/** The executor image made from `image`: its name depends only on the sandbox image's name. */
export function executorImageName(image: string): string {
  return `drawbridge-executor:${createHash("sha256").update(image).digest("hex").slice(0, 16)}`;
}

/**
 * Makes sure the executor image of `image` exists and was made from the sandbox image as it is now:
 * the same image plus one file, its own /bin/busybox copied to EXECUTOR_BINARY with mode 0111
 * (anyone may run it, no one but root may read it). A process that executes a file it cannot read
 * is made non-dumpable by the kernel, and that is what keeps the sandbox user out of the executor.
 * Nothing runs to make it: the file goes in through the engine's archive endpoint, then a commit.
 */
export async function ensureExecutorImage(docker: Docker, image: string): Promise<string> {
  const name = executorImageName(image);
  const base = (await docker.getImage(image).inspect()).Id;
  const made = await docker
    .getImage(name)
    .inspect()
    .catch(() => undefined);
  if (made?.Config.Labels?.[BASE_LABEL] === base) return name;
  const labels = { [LABEL.managed]: "true", [BASE_LABEL]: base };
  const container = await docker.createContainer({
    Image: image,
    Cmd: ["/bin/true"],
    User: SANDBOX_USER,
    Labels: labels,
    NetworkDisabled: true,
  });
  try {
    const busybox = await readAll(await container.getArchive({ path: "/bin/busybox" }));
    await container.putArchive(tarOf(firstFileOf(busybox)), { path: "/" });
    const [repo, tag] = name.split(":");
    await container.commit({ repo, tag });
    return name;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The contents of the first regular file in a tar archive (ustar: 512-byte headers, octal sizes). */
function firstFileOf(tar: Buffer): Buffer {
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = parseInt(header.subarray(124, 136).toString("latin1").replace(/\0.*$/, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === "0" || type === "\0") return Buffer.from(tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new SandboxError("the sandbox image has no /bin/busybox to run the resident executor from");
}

/** A tar of EXECUTOR_BINARY's directories (0755) and the file itself (0111), all root's. */
function tarOf(file: Buffer): Buffer {
  const path = EXECUTOR_BINARY.replace(/^\//, "");
  const dirs = path.split("/").slice(0, -1);
  const parts: Buffer[] = dirs.map((_, i) => header(`${dirs.slice(0, i + 1).join("/")}/`, 0o755, 0, "5"));
  parts.push(header(path, 0o111, file.length, "0"), file, Buffer.alloc((512 - (file.length % 512)) % 512), Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function header(name: string, mode: number, size: number, type: "0" | "5"): Buffer {
  const block = Buffer.alloc(512);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, "0") + "\0";
  block.write(name, 0, 100, "latin1");
  block.write(octal(mode, 8), 100, "latin1");
  block.write(octal(0, 8), 108, "latin1");
  block.write(octal(0, 8), 116, "latin1");
  block.write(octal(size, 12), 124, "latin1");
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136, "latin1");
  block.write("        ", 148, "latin1");
  block.write(type, 156, "latin1");
  block.write("ustar\u000000", 257, "latin1");
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return block;
}
