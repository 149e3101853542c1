import { chmod, chown, copyFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { docker } from "../support/docker-probe.js";
import { expectAllHardened } from "./support/hardening.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

// The runner's own environment holds secrets; none of it may reach a sandbox.
process.env.DRAWBRIDGE_FAKE_SECRET = "runner-env-secret-4242";
const runner = uniqueRunner("harden");
const state = await tempDir("harden");
const sandbox = testSandbox(runner, testSettings(state.path));
const run = (command: string) => sandbox.exec("attacker", command, 15_000);
// Acceptance 1 for any container the escape attempts below lead to, not only the first one.
everySandboxHardened([runner], async () => [await realpath(join(state.path, "sandboxes"))]);

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  await sandbox.removeAll();
  await state.remove();
  delete process.env.DRAWBRIDGE_FAKE_SECRET;
});

describe("sandbox containers as docker inspect reports them", () => {
  it("every container this file created passes the hardening list, with only its workspace mounted", async () => {
    await run("true");
    const privateRoot = await realpath(join(state.path, "sandboxes"));
    expect(await expectAllHardened(runner, [privateRoot])).toBe(1);
  });
});

describe("inside the sandbox, escapes fail", () => {
  it("network egress and DNS fail: the only interface is loopback", async () => {
    const result = await run(
      "wget -q -T 2 -O- http://1.1.1.1/ 2>&1; echo wget=$?; nslookup example.com 2>&1; echo dns=$?; nc -w 2 10.0.0.1 80 </dev/null 2>&1; echo nc=$?; ls /sys/class/net",
    );
    expect(result.stdout).toMatch(/wget=[1-9]/);
    expect(result.stdout).toMatch(/dns=[1-9]/);
    expect(result.stdout).toMatch(/nc=[1-9]/);
    expect(result.stdout.trim().split("\n").at(-1)).toBe("lo");
  });

  it("mount, unshare, nsenter and chroot are refused", async () => {
    const result = await run(
      "mount -t tmpfs none /tmp 2>&1; echo mount=$?; unshare -r id 2>&1; echo unshare_user=$?; unshare -m true 2>&1; echo unshare_mnt=$?; nsenter -t 1 -m true 2>&1; echo nsenter=$?; chroot /tmp /bin/true 2>&1; echo chroot=$?",
    );
    for (const name of ["mount", "unshare_user", "unshare_mnt", "nsenter", "chroot"])
      expect(result.stdout).toMatch(new RegExp(`${name}=[1-9]`));
  });

  it("the root filesystem is read-only; only /tmp (noexec) and /workspace are writable", async () => {
    const result = await run(
      "touch /x 2>&1; echo root=$?; touch /bin/x 2>&1; echo bin=$?; echo hi > /workspace/w && echo ws=ok; cp /bin/busybox /tmp/bb && /tmp/bb true 2>&1; echo tmpexec=$?",
    );
    expect(result.stdout).toMatch(/Read-only file system[\s\S]*root=1/);
    expect(result.stdout).toMatch(/bin=1/);
    expect(result.stdout).toContain("ws=ok");
    expect(result.stdout).toMatch(/tmpexec=(126|1)/);
  });

  it("the runner's environment and processes are invisible", async () => {
    const result = await run(
      "env; cat /proc/1/environ | tr '\\0' '\\n'; ps -o pid,user,args; ls /var/run/docker.sock /run/docker.sock 2>&1",
    );
    expect(result.stdout).not.toContain("runner-env-secret-4242");
    expect(result.stdout).not.toMatch(/GATEWAY_TOKEN|TELEGRAM|DRAWBRIDGE/);
    expect(result.stdout).not.toMatch(/node|vitest|dockerd/);
    expect(result.stdout).toMatch(/docker\.sock: No such file or directory/);
  });

  it("no capabilities, and a setuid-root binary gains nothing", async () => {
    const caps = await run("grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status; grep NoNewPrivs /proc/self/status");
    expect(caps.stdout).toMatch(/CapEff:\s+0{16}/);
    expect(caps.stdout).toMatch(/CapPrm:\s+0{16}/);
    expect(caps.stdout).toMatch(/NoNewPrivs:\s+1/);
    // Plant a setuid-root busybox in the workspace from the host, as a hostile file would be.
    const { hostPath } = await sandbox.workspaceFor("attacker");
    const planted = join(hostPath, "busybox");
    await copyFile("/bin/busybox", planted).catch(() => copyFile("/usr/bin/busybox", planted));
    if (process.getuid?.() === 0) await chown(planted, 0, 0);
    await chmod(planted, 0o4755);
    const result = await run("ls -ln /workspace/busybox; /workspace/busybox id -u; /workspace/busybox id -g");
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^-rwsr-xr-x/);
    expect(result.stdout.split("\n").slice(1, 3)).toEqual(["10001", "10001"]);
  });
});
