import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSandboxHardening, hardeningProblems } from "../../runner/cli/audit/sandbox-hardening.js";
import { sandboxCommand } from "../../runner/cli/sandbox-commands.js";
import { parseRunnerFile } from "../../runner/floor/load-runner-file.js";
import { sandboxSettingsFrom } from "../../runner/floor/local-floor.js";
import { APPARMOR_UNAVAILABLE, detectAppArmor } from "../../runner/sandbox/apparmor.js";
import { sandboxContainerSpec, shapeDigest } from "../../runner/sandbox/container-spec.js";
import { DockerSandbox } from "../../runner/sandbox/docker-sandbox.js";
import { ensureSandboxImage, SANDBOX_IMAGE } from "../../runner/sandbox/sandbox-image.js";
import { DEFAULT_LIMITS } from "../../runner/sandbox/sandbox-runtime.js";
import { docker } from "../support/docker-probe.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

// Issue 14 item 7 (docker-bench 5.2): on a host with AppArmor the sandbox names its profile and the
// hardening check verifies it; on a host without, `sandbox list` and the audit say so instead of passing silently.
const runner = uniqueRunner("apparmor");
const state = await tempDir("apparmor");
const hostHasAppArmor = await detectAppArmor(docker);
const sandbox = testSandbox(runner, testSettings(state.path, hostHasAppArmor ? { appArmorProfile: "docker-default" } : {}));

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  await sandbox.removeAll();
  await state.remove();
});

const engineWithout = { info: () => Promise.resolve({ SecurityOptions: ["name=seccomp,profile=default"] }) };
const engineWith = { info: () => Promise.resolve({ SecurityOptions: ["name=apparmor", "name=seccomp,profile=default"] }) };

describe("which hosts have AppArmor", () => {
  it("the kernel's flag or the engine's security options say so; neither means no", async () => {
    const flags = join(state.path, "flags");
    await mkdir(flags, { recursive: true });
    await writeFile(join(flags, "yes"), "Y\n");
    await writeFile(join(flags, "no"), "N\n");
    expect(await detectAppArmor(engineWithout, { kernelFlag: join(flags, "yes") })).toBe(true);
    expect(await detectAppArmor(engineWithout, { kernelFlag: join(flags, "no") })).toBe(false);
    expect(await detectAppArmor(engineWithout, { kernelFlag: join(flags, "missing") })).toBe(false);
    expect(await detectAppArmor(engineWith, { kernelFlag: join(flags, "missing") })).toBe(true);
    const engineGone = { info: () => Promise.reject(new Error("connect ENOENT")) };
    expect(await detectAppArmor(engineGone, { kernelFlag: join(flags, "missing") })).toBe(false);
  });
});

describe("with AppArmor, the profile is set explicitly and verified", () => {
  const base = { image: SANDBOX_IMAGE, runner: "r", scope: "session:x", limits: DEFAULT_LIMITS };

  it("runner.json names the profile (docker-default unless told); it applies only where the host has AppArmor", () => {
    const file = parseRunnerFile({});
    expect(sandboxSettingsFrom(file, "/state", "r", { appArmor: true }).appArmorProfile).toBe("docker-default");
    expect(sandboxSettingsFrom(file, "/state", "r", { appArmor: false }).appArmorProfile).toBeUndefined();
    const own = parseRunnerFile({ sandbox: { appArmorProfile: "drawbridge-sandbox" } });
    expect(sandboxSettingsFrom(own, "/state", "r", { appArmor: true }).appArmorProfile).toBe("drawbridge-sandbox");
    expect(() => parseRunnerFile({ sandbox: { appArmorProfile: "unconfined" } })).toThrow(/sandbox\.appArmorProfile/);
    expect(() => parseRunnerFile({ sandbox: { appArmorProfile: "x,seccomp=unconfined" } })).toThrow(/sandbox\.appArmorProfile/);
  });

  it("the container is created with apparmor=<profile> beside no-new-privileges, and a change of profile recreates it", () => {
    const spec = sandboxContainerSpec({ ...base, appArmorProfile: "docker-default" });
    expect(spec.HostConfig?.SecurityOpt).toEqual(["no-new-privileges", "apparmor=docker-default"]);
    expect(sandboxContainerSpec(base).HostConfig?.SecurityOpt).toEqual(["no-new-privileges"]);
    const workspace = { hostPath: "", readOnly: false, private: true };
    expect(shapeDigest({ ...base, workspace, appArmorProfile: "docker-default" })).not.toBe(shapeDigest({ ...base, workspace }));
  });

  it("a sandbox on such a host asks the engine for its containers with the profile", async () => {
    const asked: Docker.ContainerCreateOptions[] = [];
    // An engine stand-in that records the create and refuses it, so nothing runs here.
    const engine = {
      getContainer: () => ({ inspect: () => Promise.reject(Object.assign(new Error("no such container"), { statusCode: 404 })) }),
      // Every container is of the derived image (executor-image.ts); here it is already made from this base.
      getImage: () => ({ inspect: () => Promise.resolve({ Id: "base", Config: { Labels: { "dev.drawbridge.executor-base": "base" } } }) }),
      createContainer: (spec: Docker.ContainerCreateOptions) => {
        asked.push(spec);
        return Promise.reject(new Error("stand-in engine"));
      },
    } as unknown as Docker;
    const settings = sandboxSettingsFrom(parseRunnerFile({}), state.path, "r", { appArmor: true });
    const confined = new DockerSandbox({ docker: engine, image: SANDBOX_IMAGE, runner: "r", settings });
    await expect(confined.exec("s", "true", 1000)).rejects.toThrow(/stand-in engine/);
    expect(asked.map((spec) => spec.HostConfig?.SecurityOpt)).toEqual([["no-new-privileges", "apparmor=docker-default"]]);
  });

  it("the hardening check passes the profile it expects and fails a missing, other or unconfined one", async () => {
    await sandbox.exec("s", "true", 10_000);
    const [container] = await docker.listContainers({ all: true, filters: { label: [`dev.drawbridge.runner=${runner}`] } });
    const real = await docker.getContainer(container?.Id ?? "").inspect();
    const wanted = { profile: "docker-default" };
    expect(hardeningProblems({ ...real, AppArmorProfile: "docker-default" }, wanted)).toEqual([]);
    expect(hardeningProblems({ ...real, AppArmorProfile: "" }, wanted)).toEqual(["AppArmor profile none (want docker-default)"]);
    expect(hardeningProblems({ ...real, AppArmorProfile: "unconfined" }, wanted)).toEqual([
      "AppArmor profile unconfined (want docker-default)",
    ]);
    // Even where no profile is expected, an unconfined one is never hardened.
    expect(hardeningProblems({ ...real, AppArmorProfile: "unconfined" }, { profile: undefined })).toEqual([
      "AppArmor profile unconfined (want a profile)",
    ]);
  }, 30_000);
});

describe("this host, for real", () => {
  it("the audit's hardening check and `sandbox list` say whether a profile is applied, never silently", async () => {
    await sandbox.exec("s", "true", 10_000);
    const findings = await checkSandboxHardening(docker);
    const lines: string[] = [];
    await sandboxCommand(["list"], (line) => lines.push(line), docker, state.path);
    const mine = lines.find((line) => line.includes(`runner=${runner} `)) ?? "";
    if (hostHasAppArmor) {
      expect(findings.filter((f) => f.id === "sandbox.apparmor")).toEqual([]);
      expect(mine).toContain("apparmor=docker-default");
    } else {
      expect(findings.filter((f) => f.id === "sandbox.apparmor")).toEqual([
        expect.objectContaining({ severity: "info", title: APPARMOR_UNAVAILABLE }),
      ]);
      expect(lines).toContain(APPARMOR_UNAVAILABLE);
      const info = await docker.getContainer(mine.trim().split(/\s+/)[0] ?? "").inspect();
      expect(info.AppArmorProfile).toBe("");
      expect(info.HostConfig.SecurityOpt).toEqual(["no-new-privileges"]);
    }
  }, 30_000);

  it("`sandbox list` on a host with AppArmor names each container's profile and flags one without", async () => {
    const lines: string[] = [];
    await sandboxCommand(
      ["list"],
      (line) => lines.push(line),
      docker,
      state.path,
      () => Promise.resolve(true),
    );
    const mine = lines.find((line) => line.includes(`runner=${runner} `)) ?? "";
    expect(mine).toMatch(hostHasAppArmor ? /apparmor=docker-default/ : /apparmor=none \(want a profile\)/);
    expect(lines).not.toContain(APPARMOR_UNAVAILABLE);
  }, 30_000);
});
