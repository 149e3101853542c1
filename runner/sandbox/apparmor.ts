import { readFile } from "node:fs/promises";

/** What `sandbox list` and the audit say on a host without AppArmor, instead of passing silently (docker-bench 5.2). */
export const APPARMOR_UNAVAILABLE = "AppArmor: not available on this host — no profile applied";
/** The engine's own profile, loaded by dockerd wherever AppArmor is on. */
export const DEFAULT_APPARMOR_PROFILE = "docker-default";
/** The kernel's switch: "Y" when AppArmor is enabled. */
const KERNEL_FLAG = "/sys/module/apparmor/parameters/enabled";

/** The part of the engine detection needs (dockerode's Docker has it; tests hand in a stand-in). */
export type EngineInfo = { info(): Promise<{ SecurityOptions?: string[] | undefined }> };
/** The profile a container must carry: undefined where the host has no AppArmor. */
export type AppArmorExpectation = { profile: string | undefined };

/**
 * Whether sandbox containers can be confined by AppArmor here: the kernel says it is enabled, or
 * the engine lists it among its security options (a remote or rootless engine sees its own host).
 * An engine that does not answer counts as no: the container create fails on its own then.
 */
export async function detectAppArmor(engine: EngineInfo, options: { kernelFlag?: string } = {}): Promise<boolean> {
  const flag = await readFile(options.kernelFlag ?? KERNEL_FLAG, "utf8").catch(() => "");
  if (flag.trim() === "Y") return true;
  const info = await engine.info().catch(() => ({ SecurityOptions: [] }));
  return (info.SecurityOptions ?? []).some((option) => /(^|,)name=apparmor(,|$)/.test(option));
}

/** The SecurityOpt entry naming the profile, or none where the host has no AppArmor. */
export function appArmorSecurityOpt(profile: string | undefined): string[] {
  return profile === undefined ? [] : [`apparmor=${profile}`];
}

/** What is wrong with a container's AppArmor confinement as the engine reports it; undefined when it is as expected. */
export function appArmorProblem(actual: string | undefined, expected: AppArmorExpectation): string | undefined {
  const profile = actual ?? "";
  if (profile === "unconfined") return `AppArmor profile unconfined (want ${expected.profile ?? "a profile"})`;
  if (expected.profile !== undefined && profile !== expected.profile) {
    return `AppArmor profile ${profile || "none"} (want ${expected.profile})`;
  }
  return undefined;
}

/** One line for `sandbox list` and the runner's start audit line: the host's AppArmor state. */
export function appArmorHostLine(available: boolean): string {
  return available ? "AppArmor: available on this host — sandbox containers get a profile" : APPARMOR_UNAVAILABLE;
}
