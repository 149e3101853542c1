import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { stateDir } from "../runner-config.js";
import { AdminApiError, AdminClient } from "./admin-client.js";

/** Finds the gateway URL and token: environment first, then what `npm start` generated. */
export async function localAdminClient(env: NodeJS.ProcessEnv = process.env): Promise<AdminClient> {
  const url = env.DRAWBRIDGE_GATEWAY_URL ?? `http://127.0.0.1:${env.PORT ?? 8787}`;
  let token = env.GATEWAY_TOKEN;
  if (!token) {
    try {
      const stored = JSON.parse(await readFile(join(stateDir(env), "local-secrets.json"), "utf8")) as { GATEWAY_TOKEN?: string };
      token = stored.GATEWAY_TOKEN;
    } catch {
      // handled below
    }
  }
  if (!token) throw new Error("no GATEWAY_TOKEN: set it, or run `npm start` first so one is generated");
  return new AdminClient(url, token);
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
        error instanceof AdminApiError
          ? `${error.code}: ${error.message}`
          : `gateway unreachable (${String(error)}) — is \`npm start\` running?`;
      process.stdout.write(`⚠️ ${message}\n`);
    }
  }
  prompt.close();
}
