import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkBindSource } from "../../runner/sandbox/bind-source.js";
import { tempDir } from "./support/sandbox-setup.js";

const base = await tempDir("binds");
const root = join(base.path, "root");
await mkdir(join(root, "project", "deep"), { recursive: true });
await mkdir(join(base.path, "root-evil"));
afterAll(() => base.remove());

describe("bind sources", () => {
  it("allows a directory inside a configured root (resolved)", async () => {
    expect(await checkBindSource(join(root, "project"), [root])).toMatch(/\/root\/project$/);
    expect(await checkBindSource(join(root, "project", "deep"), [root])).toMatch(/\/deep$/);
  });

  it.each(["/", "/etc", "/proc", "/sys", "/dev", "/root", "/run", "/var/run", "/var", "/var/run/docker.sock", "/etc/ssl"])(
    "never mounts %s, even with / as a root",
    async (source) => {
      await expect(checkBindSource(source, ["/", root])).rejects.toThrow(/refusing|never mounted|does not exist|Docker socket/);
    },
  );

  it("refuses what is outside the roots, a sibling with the same prefix, and symlinks that lead out", async () => {
    await expect(checkBindSource(base.path, [root])).rejects.toThrow(/outside the configured workspace roots/);
    await expect(checkBindSource(join(base.path, "root-evil"), [root])).rejects.toThrow(/outside/);
    await symlink("/etc", join(root, "to-etc"));
    await symlink(base.path, join(root, "to-parent"));
    await symlink("/var/run", join(root, "to-docker"));
    await expect(checkBindSource(join(root, "to-etc"), [root])).rejects.toThrow(/resolves to \/etc/);
    await expect(checkBindSource(join(root, "to-parent"), [root])).rejects.toThrow(/outside/);
    await expect(checkBindSource(join(root, "to-docker"), [root])).rejects.toThrow(/refusing/);
    await expect(checkBindSource("relative/path", [root])).rejects.toThrow(/not an absolute path/);
  });
});
