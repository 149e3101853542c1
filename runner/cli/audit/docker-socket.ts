import { readFile, stat } from "node:fs/promises";
import type { AuditFinding } from "../../../shared/audit-report.js";

/** The engine's socket this CLI (and the runner, through dockerode) talks to: DOCKER_HOST when unix://, else the default. */
export function dockerSocketPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return "/var/run/docker.sock";
  return host.startsWith("unix://") ? host.slice("unix://".length) : null;
}

/** Group names by gid from /etc/group (the socket's group is judged by name: "docker" is the expected one). */
async function groupName(gid: number): Promise<string | null> {
  const text = await readFile("/etc/group", "utf8").catch(() => "");
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    if (name && Number(id) === gid) return name;
  }
  return null;
}

/**
 * docker.socket_exposed: whoever can write the Docker socket is root on this box. The usual
 * `root:docker 0660` is expected (membership of "docker" is the deliberate grant, and the runner's
 * service unit asks for exactly it), so the finding is a world-writable socket (critical), or one
 * group-writable by a group other than docker or root (warn: that group's members are root too).
 * A TCP DOCKER_HOST is not a socket file and is not judged here.
 */
export async function checkDockerSocket(env: NodeJS.ProcessEnv = process.env): Promise<AuditFinding[]> {
  const path = dockerSocketPath(env);
  if (!path) return [];
  const info = await stat(path).catch(() => null);
  if (!info) return [];
  const mode = `0${(info.mode & 0o777).toString(8)}`;
  if ((info.mode & 0o002) !== 0) {
    return [
      {
        id: "docker.socket_exposed",
        severity: "critical",
        title: "The Docker socket is world-writable",
        detail: `${path} is ${mode}: every user and process on this box can start a privileged container, which is root on the host.`,
        fix: `sudo chmod 660 ${path} && sudo chown root:docker ${path} (and find what loosened it: a systemd socket unit or a script).`,
      },
    ];
  }
  if ((info.mode & 0o020) !== 0 && info.gid !== 0) {
    const group = await groupName(info.gid);
    if (group !== "docker") {
      return [
        {
          id: "docker.socket_exposed",
          severity: "warn",
          title: "The Docker socket is writable by an unexpected group",
          detail: `${path} is ${mode}, group ${group ?? `gid ${info.gid}`}: every member of that group is root on this box through it.`,
          fix: `sudo chown root:docker ${path}, and keep the docker group to the runner's account.`,
        },
      ];
    }
  }
  return [];
}
