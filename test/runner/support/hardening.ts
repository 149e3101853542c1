import type Docker from "dockerode";
import { expect } from "vitest";
import { namedProfile } from "../../../runner/cli/audit/sandbox-hardening.js";
import { appArmorProblem, detectAppArmor } from "../../../runner/sandbox/apparmor.js";
import { LABEL } from "../../../runner/sandbox/container-spec.js";
import { containersOf, docker } from "../../support/docker-probe.js";

/** Where the host has AppArmor, every sandbox must carry the profile it was created with (docker-bench 5.2). */
const hostHasAppArmor = await detectAppArmor(docker);

/**
 * The hardening list of issue 5, checked on what the engine reports (docker inspect), not on
 * what we asked for. `allowedSources` are the only host paths a bind may come from.
 */
export function expectHardened(info: Docker.ContainerInspectInfo, runner: string, allowedSources: string[]): void {
  const host = info.HostConfig;
  const where = info.Name;
  expect(host.NetworkMode, where).toBe("none");
  expect(
    Object.keys(info.NetworkSettings.Networks ?? {}).filter((name) => name !== "none"),
    where,
  ).toEqual([]);
  expect(host.ReadonlyRootfs, where).toBe(true);
  expect(host.Tmpfs?.["/tmp"], where).toMatch(/(^|,)size=\d+/);
  expect(host.Tmpfs?.["/tmp"], where).toMatch(/noexec/);
  expect(host.CapDrop, where).toEqual(["ALL"]);
  expect(host.CapAdd ?? [], where).toEqual([]);
  expect(host.SecurityOpt, where).toContain("no-new-privileges");
  // The engine's default seccomp profile applies unless a SecurityOpt overrides it.
  expect(
    ((host.SecurityOpt as string[] | undefined) ?? []).filter((opt) => /seccomp|apparmor[=:]unconfined|label[=:]disable/.test(opt)),
    where,
  ).toEqual([]);
  expect(appArmorProblem(info.AppArmorProfile, { profile: hostHasAppArmor ? namedProfile(info) : undefined }), where).toBeUndefined();
  expect(host.Privileged, where).toBe(false);
  expect(info.Config.User, where).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  expect(host.PidsLimit, where).toBeGreaterThan(0);
  expect(host.Memory, where).toBeGreaterThan(0);
  expect(host.MemorySwap, where).toBe(host.Memory);
  expect(host.NanoCpus, where).toBeGreaterThan(0);
  const ulimits = Object.fromEntries((host.Ulimits ?? []).map((u) => [u.Name ?? "", u.Hard]));
  expect(ulimits.nofile, where).toBeGreaterThan(0);
  expect(ulimits.nproc, where).toBeGreaterThan(0);
  expect(host.Init, where).toBe(true);
  const cgroupns = (host as { CgroupnsMode?: string }).CgroupnsMode;
  for (const mode of [host.PidMode, host.IpcMode, host.UTSMode, host.UsernsMode, cgroupns]) {
    expect(String(mode ?? ""), where).not.toMatch(/^(host|container:)/);
  }
  expect(host.Devices ?? [], where).toEqual([]);
  expect((host as { DeviceRequests?: unknown[] }).DeviceRequests ?? [], where).toEqual([]);
  // At most one bind, the workspace, from an allowed place; never the Docker socket or a system path.
  // (Only a container made from the spec without a workspace, as the prune test does, has none.)
  expect(info.Mounts.length, where).toBeLessThanOrEqual(1);
  for (const mount of info.Mounts) {
    expect([mount.Type, mount.Destination], where).toEqual(["bind", "/workspace"]);
    expect(mount.Source, where).not.toMatch(/docker\.sock|^\/(etc|proc|sys|dev|root|run|var\/run)?(\/|$)/);
    expect(
      allowedSources.some((allowed) => mount.Source === allowed || mount.Source.startsWith(`${allowed}/`)),
      `${where}: ${mount.Source} not in ${allowedSources.join(", ")}`,
    ).toBe(true);
  }
  expect(info.Config.Env, where).toEqual(["PATH=/bin", "HOME=/tmp"]);
  expect(info.Config.Labels, where).toMatchObject({ [LABEL.managed]: "true", [LABEL.runner]: runner });
  expect(info.Config.Labels[LABEL.scope], where).toBeTruthy();
}

/** Inspects every container of `runner` (running or not) and checks each one. Returns how many. */
export async function expectAllHardened(runner: string, allowedSources: string[]): Promise<number> {
  const containers = await containersOf(runner);
  for (const c of containers) expectHardened(await docker.getContainer(c.Id).inspect(), runner, allowedSources);
  return containers.length;
}
