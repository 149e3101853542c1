import { rename, stat, writeFile } from "node:fs/promises";
import type { AuditSources } from "./audit-sources.js";
import { accessOf } from "./config-checks.js";

/** Where an open group policy may sit in the config file: under `access` or at the top. */
const PLACES = [["access", "groups"], ["groups"]] as const;

/**
 * `--fix` for access.open_groups: sets an open `groups.policy` in the config file to "allowlist"
 * (the bot then serves only groups.allowChats). Only ever narrows; a value anywhere else (the
 * environment, the env file, wrangler.toml) is the owner's to change, and the line says so.
 */
export async function tightenGroupPolicy(sources: AuditSources): Promise<{ changed: string[]; cannot: string[] }> {
  const file = sources.configFile;
  if (!file) {
    const access = accessOf(sources);
    const open = "config" in access && access.config.groups.policy === "open";
    return {
      changed: [],
      cannot: open
        ? [
            `cannot tighten groups.policy: there is no config file (drawbridge.config.json) to edit; set it to "allowlist" in DRAWBRIDGE_ACCESS (${sources.settings.DRAWBRIDGE_ACCESS?.from ?? "unset"}) yourself`,
          ]
        : [],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch {
    return { changed: [], cannot: [`cannot tighten groups.policy: ${file.path} is not valid JSON`] };
  }
  const changed: string[] = [];
  for (const place of PLACES) {
    const groups = place.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), json);
    if (isRecord(groups) && groups.policy === "open") {
      groups.policy = "allowlist";
      changed.push(`${file.path}: ${[...place, "policy"].join(".")} "open" → "allowlist"`);
    }
  }
  if (changed.length > 0) {
    // Written beside it and renamed over it, keeping its mode: a crash leaves the old file or the new one.
    const mode = (await stat(file.path)).mode & 0o777;
    await writeFile(`${file.path}.audit-tmp`, JSON.stringify(json, null, 2) + "\n", { mode });
    await rename(`${file.path}.audit-tmp`, file.path);
  }
  return { changed, cannot: [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
