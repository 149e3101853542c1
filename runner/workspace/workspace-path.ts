import { WorkspaceError } from "./workspace-error.js";

/** Where the sandbox sees the workspace; absolute tool paths must start with it. */
export const SANDBOX_WORKSPACE = "/workspace";
const MAX_COMPONENT_BYTES = 255;

/**
 * Splits a tool path into plain names below the workspace root. Refuses, rather than repairs,
 * anything that could point elsewhere: NUL bytes, `..`, and absolute paths not under
 * `/workspace` (component-wise, so `/workspace-evil` is not "under" it). `[]` is the root.
 */
export function workspaceComponents(path: string): string[] {
  if (path.includes("\u0000")) throw new WorkspaceError("bad_request", "the path contains a NUL byte");
  let parts = path.split("/");
  if (path.startsWith("/")) {
    parts = parts.filter((part) => part !== "" && part !== ".");
    if (parts[0] !== SANDBOX_WORKSPACE.slice(1)) {
      throw new WorkspaceError(
        "forbidden",
        `${JSON.stringify(path)} is outside the workspace (absolute paths start with ${SANDBOX_WORKSPACE}/)`,
      );
    }
    parts = parts.slice(1);
  } else {
    parts = parts.filter((part) => part !== "" && part !== ".");
  }
  for (const part of parts) {
    if (part === "..") throw new WorkspaceError("forbidden", `${JSON.stringify(path)} uses "..", which is not allowed`);
    if (Buffer.byteLength(part) > MAX_COMPONENT_BYTES) throw new WorkspaceError("bad_request", "a path component is longer than 255 bytes");
  }
  return parts;
}

/** The path as the sandbox would show it, for results and messages. */
export function displayPath(components: string[]): string {
  return components.length === 0 ? SANDBOX_WORKSPACE : `${SANDBOX_WORKSPACE}/${components.join("/")}`;
}
