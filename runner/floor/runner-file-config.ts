import { isAbsolute } from "node:path";
import { z } from "zod";
import { TOOL_NAMES } from "../../shared/tools/tool-call.js";
import { MAX_FILE_CHARS } from "../../shared/tools/files.js";
import { ModelFileConfig } from "./model-config.js";

const AbsolutePath = z.string().refine((p) => isAbsolute(p) && !p.includes("\u0000"), "must be an absolute path");

/**
 * The runner config file: this runner's local policy floor and how its sandboxes look. Every key
 * has a safe default, so no file at all is a valid (locked-down) configuration. Unknown keys are
 * refused, so a typo never silently leaves a default in place.
 */
export const RunnerFileConfig = z
  .object({
    /** The tools this runner serves; a call for any other is refused, however it was signed. */
    tools: z.array(z.enum(TOOL_NAMES)).default([...TOOL_NAMES]),
    workspace: z
      .object({
        /** Directories a sandbox may ever mount; the workspace must resolve inside one. */
        roots: z.array(AbsolutePath).default([]),
        /** The user's workspace, mounted for workspaceAccess ro/rw. */
        path: AbsolutePath.optional(),
      })
      .strict()
      .default({ roots: [] }),
    sandbox: z
      .object({
        /** exec runs only in a sandbox; an elevated (host) exec is refused. */
        required: z.boolean().default(true),
        scope: z.enum(["session", "agent", "shared"]).default("session"),
        workspaceAccess: z.enum(["none", "ro", "rw"]).default("none"),
        idleSeconds: z
          .number()
          .min(1)
          .max(7 * 24 * 3600)
          .default(600),
        warmPool: z.number().int().min(0).max(8).default(0),
        memoryMb: z
          .number()
          .int()
          .min(16)
          .max(64 * 1024)
          .default(256),
        cpus: z.number().min(0.05).max(64).default(1),
        pids: z.number().int().min(16).max(32_768).default(128),
        tmpMb: z.number().int().min(1).max(4096).default(64),
        nofile: z.number().int().min(64).max(65_536).default(1024),
        nproc: z.number().int().min(16).max(65_536).default(256),
        outputBytes: z
          .number()
          .int()
          .min(1024)
          .max(256 * 1024)
          .default(64 * 1024),
        /** Let processes a call started in the background outlive it (off: they end with the call). */
        keepBackgroundProcesses: z.boolean().default(false),
        /** The AppArmor profile sandbox containers get on a host with AppArmor (a loaded profile's name; never unconfined). */
        appArmorProfile: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be the name of a loaded AppArmor profile")
          .refine((name) => name !== "unconfined", "unconfined is not a profile a sandbox may run under")
          .default("docker-default"),
        /** Calls run through a resident executor in the container instead of a docker exec each (docs/resident-executor.md); session scope only. */
        residentExecutor: z.boolean().default(false),
      })
      .strict()
      .default({
        required: true,
        scope: "session",
        workspaceAccess: "none",
        idleSeconds: 600,
        warmPool: 0,
        memoryMb: 256,
        cpus: 1,
        pids: 128,
        tmpMb: 64,
        nofile: 1024,
        nproc: 256,
        outputBytes: 64 * 1024,
        keepBackgroundProcesses: false,
        appArmorProfile: "docker-default",
        residentExecutor: false,
      }),
    limits: z
      .object({
        /** Longest an exec may run, whatever the call asks for. */
        maxExecSeconds: z.number().int().min(1).max(3600).default(120),
        /** Largest file read, written or edited. */
        maxFileBytes: z.number().int().min(1).max(MAX_FILE_CHARS).default(MAX_FILE_CHARS),
      })
      .strict()
      .default({ maxExecSeconds: 120, maxFileBytes: MAX_FILE_CHARS }),
    /** Whether an elevated (host, unsandboxed) exec is possible at all. Also needs sandbox.required false. */
    elevated: z
      .object({ allowed: z.boolean().default(false) })
      .strict()
      .default({ allowed: false }),
    audit: z.object({ path: AbsolutePath.optional() }).strict().default({}),
    /** The model server on this box that the gateway's `home:` provider reaches through the tunnel (model-config.ts). */
    model: ModelFileConfig.default({ allowNonLoopback: false }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const access = config.sandbox.workspaceAccess;
    if (access !== "none" && config.workspace.path === undefined) {
      ctx.addIssue({ code: "custom", path: ["workspace", "path"], message: `is required when sandbox.workspaceAccess is ${access}` });
    }
    if (config.workspace.path !== undefined && config.workspace.roots.length === 0) {
      ctx.addIssue({ code: "custom", path: ["workspace", "roots"], message: "must list the directory that holds workspace.path" });
    }
    config.workspace.roots.forEach((root, index) => {
      if (root.replace(/\/+$/, "") === "")
        ctx.addIssue({ code: "custom", path: ["workspace", "roots", index], message: "/ is never a workspace root" });
    });
  });
export type RunnerFileConfig = z.infer<typeof RunnerFileConfig>;
