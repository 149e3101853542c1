import type Docker from "dockerode";
import type { AuditFinding } from "../../../shared/audit-report.js";
import {
  APPARMOR_UNAVAILABLE,
  appArmorProblem,
  DEFAULT_APPARMOR_PROFILE,
  detectAppArmor,
  type AppArmorExpectation,
} from "../../sandbox/apparmor.js";
import { LABEL, WORKSPACE_MOUNT } from "../../sandbox/container-spec.js";

/**
 * The hardening list of issue 5 (test/runner/support/hardening.ts checks the same in the tests),
 * read off what the engine reports for a live container rather than what we asked for. Returns
 * what is wrong, in words; [] when the container is hardened. `appArmor.profile`: the profile it
 * must carry where the host has AppArmor (its SecurityOpt names it); an unconfined one always fails.
 */
export function hardeningProblems(info: Docker.ContainerInspectInfo, appArmor: AppArmorExpectation = { profile: undefined }): string[] {
  const host = info.HostConfig;
  const problems: string[] = [];
  const want = (ok: boolean, what: string) => void (ok || problems.push(what));
  want(host.NetworkMode === "none", `network ${host.NetworkMode ?? "default"} (want none)`);
  want(
    Object.keys(info.NetworkSettings.Networks ?? {}).every((name) => name === "none"),
    "attached to a network",
  );
  want(host.ReadonlyRootfs === true, "root filesystem writable");
  const tmp = host.Tmpfs?.["/tmp"] ?? "";
  want(/(^|,)size=\d+/.test(tmp) && /noexec/.test(tmp), "/tmp is not a small noexec tmpfs");
  want(JSON.stringify(host.CapDrop ?? []) === '["ALL"]', "capabilities not all dropped");
  const capAdd = (host.CapAdd as string[] | undefined) ?? [];
  want(capAdd.length === 0, `capabilities added (${capAdd.join(", ")})`);
  const securityOpt = (host.SecurityOpt as string[] | undefined) ?? [];
  want(securityOpt.includes("no-new-privileges"), "no-new-privileges missing");
  // The engine's default seccomp and AppArmor profiles apply unless a SecurityOpt turns them off.
  want(
    !securityOpt.some((opt) => /seccomp|apparmor[=:]unconfined|label[=:]disable/.test(opt)),
    "seccomp/AppArmor/SELinux confinement overridden",
  );
  const wrongProfile = appArmorProblem(info.AppArmorProfile, appArmor);
  if (wrongProfile) problems.push(wrongProfile);
  want(host.Privileged === false, "privileged");
  want(/^[1-9]\d*:[1-9]\d*$/.test(info.Config.User), `runs as "${info.Config.User || "root"}" (want a non-root uid:gid)`);
  want((host.PidsLimit ?? 0) > 0, "no pids limit");
  want((host.Memory ?? 0) > 0 && host.MemorySwap === host.Memory, "no memory limit (or swap beyond it)");
  want((host.NanoCpus ?? 0) > 0, "no cpu limit");
  const ulimits = Object.fromEntries((host.Ulimits ?? []).map((u) => [u.Name ?? "", u.Hard ?? 0]));
  want((ulimits.nofile ?? 0) > 0 && (ulimits.nproc ?? 0) > 0, "no nofile/nproc ulimits");
  want(host.Init === true, "no init process");
  const cgroupns = (host as { CgroupnsMode?: string }).CgroupnsMode;
  for (const [name, mode] of Object.entries({
    pid: host.PidMode,
    ipc: host.IpcMode,
    uts: host.UTSMode,
    userns: host.UsernsMode,
    cgroup: cgroupns,
  })) {
    want(!/^(host|container:)/.test(String(mode ?? "")), `shares the ${name} namespace (${String(mode)})`);
  }
  const devices = (host.Devices as unknown[] | undefined) ?? [];
  want(devices.length === 0, "host devices passed in");
  want(((host as { DeviceRequests?: unknown[] }).DeviceRequests ?? []).length === 0, "device requests (GPUs) passed in");
  want(info.Mounts.length <= 1, `${info.Mounts.length} mounts (want at most the workspace)`);
  for (const mount of info.Mounts) {
    want(mount.Type === "bind" && mount.Destination === WORKSPACE_MOUNT, `mount at ${mount.Destination} (want only ${WORKSPACE_MOUNT})`);
    want(!/docker\.sock|^\/(etc|proc|sys|dev|root|run|var\/run)?(\/|$)/.test(mount.Source), `mounts the host's ${mount.Source}`);
  }
  want(JSON.stringify(info.Config.Env) === JSON.stringify(["PATH=/bin", "HOME=/tmp"]), "environment beyond PATH and HOME");
  return problems;
}

/**
 * sandbox.hardening: every Drawbridge sandbox container on this engine (running or stopped),
 * inspected. Where the host has AppArmor (`hasAppArmor`, injectable for tests), each must carry the
 * profile its SecurityOpt names (docker-default if none); where it has not, sandbox.apparmor says so.
 */
export async function checkSandboxHardening(
  docker: Docker,
  hasAppArmor: () => Promise<boolean> = () => detectAppArmor(docker),
): Promise<AuditFinding[]> {
  const appArmor = await hasAppArmor();
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`] } });
  const weak: string[] = [];
  for (const container of containers) {
    const info = await docker
      .getContainer(container.Id)
      .inspect()
      .catch(() => null);
    // Removed between the list and the inspect: nothing left to audit.
    if (!info) continue;
    const problems = hardeningProblems(info, { profile: appArmor ? namedProfile(info) : undefined });
    if (problems.length > 0) weak.push(`${info.Name.replace(/^\//, "")}: ${problems.join(", ")}`);
  }
  const findings: AuditFinding[] = [];
  if (!appArmor) {
    findings.push({
      id: "sandbox.apparmor",
      severity: "info",
      title: APPARMOR_UNAVAILABLE,
      detail:
        "this kernel has no AppArmor (docker-bench 5.2), so sandbox containers rely on the rest of the hardening list and the engine's seccomp profile.",
      fix: "Nothing to do unless you want AppArmor: enable it in the kernel (e.g. apparmor=1 security=apparmor) and restart Docker and the runner.",
    });
  }
  if (weak.length === 0) return findings;
  return [
    {
      id: "sandbox.hardening",
      severity: "critical",
      title: "A sandbox container is not hardened",
      detail: `${weak.length} of ${containers.length} sandbox container(s): ${weak.join("; ")}.`,
      fix: "Remove them (`drawbridge sandbox prune --all`, or `docker rm -f <name>`); the runner recreates each from its hardened spec. Find who made one by hand.",
    },
    ...findings,
  ];
}

/** The profile a container was created with (`apparmor=<name>`), else the engine's default. */
export function namedProfile(info: Docker.ContainerInspectInfo): string {
  const named = ((info.HostConfig.SecurityOpt as string[] | undefined) ?? []).find((opt) => /^apparmor[=:]/.test(opt));
  return named ? named.slice("apparmor=".length) : DEFAULT_APPARMOR_PROFILE;
}
