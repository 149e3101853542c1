import { join } from "node:path";
import { registerRunner, rotateRunnerKey } from "../identity/registration.js";
import { generateRunnerKey, loadRunnerKey } from "../identity/runner-key.js";
import { runRunnerUntilSignal } from "../run-until-signal.js";
import { stateDir } from "../runner-config.js";
import type { AdminClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { runnerLine } from "./status-command.js";

/** `drawbridge runner …`: run the runner, and manage its keys with the gateway. */
export function runnerCommands(client: () => Promise<AdminClient>): Command[] {
  const keyPath = (): string => process.env.DRAWBRIDGE_RUNNER_KEY ?? join(stateDir(), "runner-key.json");
  const name = (): string => process.env.DRAWBRIDGE_RUNNER_NAME ?? "home";
  return [
    {
      words: "runner",
      summary: "run the home runner (DRAWBRIDGE_GATEWAY_URL, DRAWBRIDGE_RUNNER_NAME)",
      run: () => runRunnerUntilSignal(),
    },
    {
      words: "runner keygen",
      summary: "create the runner's Ed25519 key (mode 0600; never overwrites)",
      async run({ say }) {
        const key = await generateRunnerKey(keyPath());
        say(`Created ${keyPath()}\nkid ${key.kid}\npublic key ${JSON.stringify(key.publicJwk)}`);
      },
    },
    {
      words: "runner register",
      summary: "register the runner's key with the gateway and pin the gateway's key",
      async run({ say }) {
        const key = await loadRunnerKey(keyPath());
        const result = await registerRunner(await client(), stateDir(), name(), key);
        say(`Registered runner ${name()} with key ${result.kid}`);
        say(`${result.pinned === "new" ? "Pinned" : "Gateway key unchanged:"} gateway key ${result.gatewayKid}`);
      },
    },
    {
      words: "runner rotate",
      summary: "new key, vouched for by the current one; older keys are retired",
      async run({ say }) {
        const result = await rotateRunnerKey(await client(), stateDir(), name(), keyPath());
        say(`Rotated runner ${name()}: ${result.oldKid} → ${result.newKid}`);
        say(`The running runner uses the new key on its next connect; once it has, revoke the old one:`);
        say(`  drawbridge runner revoke ${result.oldKid}`);
      },
    },
    {
      words: "runner revoke",
      args: "<kid>",
      summary: "revoke a runner key: its socket closes at once; with no key left its queue is stopped",
      async run({ positionals, say }) {
        const kid = positionals[0] ?? "";
        const result = await (await client()).revokeRunnerKey(kid);
        say(`Revoked ${kid} of runner ${result.runner}: ${result.closed} socket(s) closed, ${result.cancelled} queued call(s) stopped`);
      },
    },
    {
      words: "runner status",
      summary: "every runner: connected, last seen, queue depth",
      json: true,
      async run({ json, say }) {
        const answer = await (await client()).status();
        if (json) return say(JSON.stringify(answer));
        for (const runner of answer.runners) say(runnerLine(runner, Date.now()));
        if (answer.runners.length === 0) say("no runners registered");
      },
    },
  ];
}
