import { rename, stat, writeFile } from "node:fs/promises";
import { parseJsonc } from "../../../shared/config/jsonc.js";
import type { AuditSources } from "./audit-sources.js";
import { accessOf } from "./config-checks.js";

/** `"policy": "open"` as written; in the config file only access.groups has a `policy` key that can be "open". */
const OPEN_POLICY = /("policy"\s*:\s*)"open"/g;

/**
 * `--fix` for access.open_groups: sets an open `access.groups.policy` in the config file to
 * "allowlist" (the bot then serves only groups.allowChats), editing that one value in place so the
 * file's comments and layout stay. Only ever narrows; a value set elsewhere (the environment, the
 * env file, wrangler.toml) is the owner's to change, and the line says so.
 */
export async function tightenGroupPolicy(sources: AuditSources): Promise<{ changed: string[]; cannot: string[] }> {
  const access = accessOf(sources);
  const open = "config" in access && access.config.groups.policy === "open";
  const file = sources.configFile;
  const where = sources.settings.DRAWBRIDGE_ACCESS?.from ?? "unset";
  if (!file) {
    const cannot = `cannot tighten groups.policy: there is no config file (drawbridge.config.json) to edit; set it to "allowlist" in DRAWBRIDGE_ACCESS (${where}) yourself`;
    return { changed: [], cannot: open ? [cannot] : [] };
  }
  let before: unknown;
  try {
    before = parseJsonc(file.text);
  } catch {
    return { changed: [], cannot: open ? [`cannot tighten groups.policy: ${file.path} does not parse`] : [] };
  }
  if (groupsOf(before)?.policy !== "open") {
    // Open through an environment override, not the file: editing the file would not close it.
    return {
      changed: [],
      cannot: open ? [`cannot tighten groups.policy: it is set by DRAWBRIDGE_ACCESS (${where}), not ${file.path}`] : [],
    };
  }
  const matches = [...file.text.matchAll(OPEN_POLICY)];
  const text = file.text.replace(OPEN_POLICY, '$1"allowlist"');
  const after = matches.length === 1 ? parseJsonc(text) : null;
  // Written only when exactly that value changed: anything else is left for the owner.
  const expected = structuredClone(before);
  const groups = groupsOf(expected);
  if (groups) groups.policy = "allowlist";
  if (after === null || JSON.stringify(after) !== JSON.stringify(expected)) {
    return {
      changed: [],
      cannot: [
        `cannot tighten groups.policy in ${file.path} safely (it is not written as one "policy": "open"); set it to "allowlist" yourself`,
      ],
    };
  }
  // Written beside it and renamed over it, keeping its mode: a crash leaves the old file or the new one.
  const mode = (await stat(file.path)).mode & 0o777;
  await writeFile(`${file.path}.audit-tmp`, text, { mode });
  await rename(`${file.path}.audit-tmp`, file.path);
  return { changed: [`${file.path}: access.groups.policy "open" → "allowlist"`], cannot: [] };
}

function groupsOf(config: unknown): Record<string, unknown> | null {
  const access = isRecord(config) ? config.access : undefined;
  const groups = isRecord(access) ? access.groups : undefined;
  return isRecord(groups) ? groups : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
