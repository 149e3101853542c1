import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { stateDir } from "../runner-config.js";
import { AdminApiError, AdminClient } from "./admin-client.js";

/** No token to send: neither GATEWAY_TOKEN nor a local stack's local-secrets.json. */
export class MissingTokenError extends Error {
  override readonly name = "MissingTokenError";
}

/** Finds the gateway URL and token: environment first, then what `npm start` generated. */
export async function localAdminClient(env: NodeJS.ProcessEnv = process.env): Promise<AdminClient> {
  const url = env.DRAWBRIDGE_GATEWAY_URL ?? `http://127.0.0.1:${env.PORT ?? 8787}`;
  if (env.GATEWAY_TOKEN) return new AdminClient(url, env.GATEWAY_TOKEN, "the GATEWAY_TOKEN environment variable");
  const secretsPath = join(stateDir(env), "local-secrets.json");
  let token: string | undefined;
  try {
    const stored = JSON.parse(await readFile(secretsPath, "utf8")) as { GATEWAY_TOKEN?: unknown };
    token = typeof stored.GATEWAY_TOKEN === "string" ? stored.GATEWAY_TOKEN : undefined;
  } catch {
    // No local stack here; said below.
  }
  if (!token) {
    throw new MissingTokenError(
      `no token for the gateway at ${url}: set GATEWAY_TOKEN to the gateway's token, or run \`npm start\` first so ${secretsPath} holds one`,
    );
  }
  return new AdminClient(url, token, `${secretsPath} (written by \`npm start\`; GATEWAY_TOKEN is unset)`);
}

/** `npm run chat`: a terminal chat over the console channel, as the owner. */
export async function chat(): Promise<void> {
  const client = await localAdminClient();
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  process.stdout.write("Drawbridge console — you are the owner. Try `/run uname -a`. Ctrl-D to leave.\n");
  for (;;) {
    let line: string;
    try {
      line = (await prompt.question("> ")).trim();
    } catch {
      break; // Ctrl-D / closed input
    }
    if (!line) continue;
    try {
      const { reply } = await client.sendMessage(line);
      process.stdout.write(`${reply ?? "(no reply)"}\n`);
    } catch (error) {
      const message =
        error instanceof AdminApiError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
      process.stdout.write(`⚠️ ${message}\n`);
    }
  }
  prompt.close();
}
