import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportJWK, generateKeyPair } from "jose";

/** Values `npm start` hands the local gateway. Environment variables override the generated ones. */
export const OVERRIDABLE = [
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_WEBHOOK_SECRET",
  "TELEGRAM_API_ROOT",
  "GATEWAY_TOKEN",
  "DRAWBRIDGE_OWNER",
] as const;

export type LocalSecrets = Record<(typeof OVERRIDABLE)[number] | "GATEWAY_SIGNING_KEY", string>;

/**
 * The assistant's model settings, passed from the environment into the env file when set. Never
 * generated or stored in local-secrets.json: the API key stays where the owner put it, and a model
 * dropped from the environment is dropped from the next start too.
 */
export const MODEL_SETTINGS = ["DRAWBRIDGE_MODEL", "DRAWBRIDGE_MODEL_BASE_URL", "DRAWBRIDGE_MODEL_API_KEY"] as const;

/**
 * Channel secrets and API roots (docs/channels.md), passed from the environment when set and never
 * generated: a channel whose secrets are absent stays off. A channel adds its names here.
 */
export const CHANNEL_SETTINGS = [
  "SLACK_SIGNING_SECRET",
  "SLACK_BOT_TOKEN",
  "SLACK_API_ROOT",
  "DISCORD_PUBLIC_KEY",
  "DISCORD_APPLICATION_ID",
  "DISCORD_BOT_TOKEN",
  "DISCORD_API_ROOT",
  "WHATSAPP_APP_SECRET",
  "WHATSAPP_VERIFY_TOKEN",
  "WHATSAPP_ACCESS_TOKEN",
  "WHATSAPP_PHONE_NUMBER_ID",
  "WHATSAPP_API_ROOT",
] as const;

/** Signed inbound hooks (docs/hooks.md): the hooks, and each one's secret, passed from the environment the same way. */
export const HOOK_SECRET_NAME = /^HOOK_[A-Z0-9_]+_SECRET$/;

/** The owner the local stack serves when DRAWBRIDGE_OWNER is not set. */
export const DEFAULT_LOCAL_OWNER = "telegram:123456789";

function token(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Creates the local secrets on first run (kept in the state dir, mode 0600, out of git),
 * applies overrides from the environment, and writes the env file `wrangler dev` reads
 * (with the model settings found in the environment and `vars`, plain settings such as
 * DEFAULT_RUNNER, added to it; `vars` win).
 */
export async function ensureLocalSecrets(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
  vars: Record<string, string> = {},
): Promise<{ secrets: LocalSecrets; envFile: string }> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const storePath = join(stateDir, "local-secrets.json");
  let stored: Partial<LocalSecrets> = {};
  try {
    stored = JSON.parse(await readFile(storePath, "utf8")) as Partial<LocalSecrets>;
  } catch {
    // first run
  }
  const generated: LocalSecrets = {
    // A placeholder: a local stack without a real bot token still serves the console channel.
    TELEGRAM_BOT_TOKEN: stored.TELEGRAM_BOT_TOKEN ?? `0:local-${token()}`,
    TELEGRAM_WEBHOOK_SECRET: stored.TELEGRAM_WEBHOOK_SECRET ?? token(),
    TELEGRAM_API_ROOT: stored.TELEGRAM_API_ROOT ?? "https://api.telegram.org",
    GATEWAY_TOKEN: stored.GATEWAY_TOKEN ?? token(),
    DRAWBRIDGE_OWNER: stored.DRAWBRIDGE_OWNER ?? DEFAULT_LOCAL_OWNER,
    GATEWAY_SIGNING_KEY:
      stored.GATEWAY_SIGNING_KEY ?? JSON.stringify(await exportJWK((await generateKeyPair("Ed25519", { extractable: true })).privateKey)),
  };
  await writeSecretFile(storePath, JSON.stringify(generated, null, 2) + "\n");
  const secrets = { ...generated };
  for (const name of OVERRIDABLE) {
    const value = env[name];
    if (value) secrets[name] = value;
  }
  const model: Record<string, string> = {};
  const hookNames = Object.keys(env).filter((name) => name === "DRAWBRIDGE_HOOKS" || HOOK_SECRET_NAME.test(name));
  for (const name of [...MODEL_SETTINGS, ...CHANNEL_SETTINGS, ...hookNames]) {
    const value = env[name]?.trim();
    if (value) model[name] = value;
  }
  const envFile = join(stateDir, "dev.vars");
  const lines = Object.entries({ ...secrets, ...model, ...vars }).map(([name, value]) => {
    // Single quotes keep the value literal in the dotenv format (the signing key is JSON).
    if (/['\r\n]/.test(value)) throw new Error(`${name} must not contain quotes or line breaks`);
    return `${name}='${value}'`;
  });
  await writeSecretFile(envFile, lines.join("\n") + "\n");
  return { secrets, envFile };
}

async function writeSecretFile(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}
