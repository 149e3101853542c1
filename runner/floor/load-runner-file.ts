import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { RunnerFileConfig } from "./runner-file-config.js";

export class RunnerFileError extends Error {
  override readonly name = "RunnerFileError";
}

/**
 * Reads and validates the runner config file. A missing file at the default place means "all
 * defaults"; a file named explicitly must exist. A bad value is refused with its key named.
 */
export async function loadRunnerFile(path: string, explicit: boolean): Promise<RunnerFileConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (!explicit && typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT") {
      return RunnerFileConfig.parse({});
    }
    throw new RunnerFileError(`runner config ${path} cannot be read`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RunnerFileError(`runner config ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseRunnerFile(json, path);
}

export function parseRunnerFile(json: unknown, source = "runner config"): RunnerFileConfig {
  const parsed = RunnerFileConfig.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new RunnerFileError(`${source}: ${describe(issue)}`);
}

function describe(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid";
  const key = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    return `unknown key ${issue.keys.map((k) => (key ? `${key}.${k}` : k)).join(", ")}`;
  }
  return `${key || "(top level)"}: ${issue.message}`;
}
