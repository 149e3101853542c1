import { registerRunner, rotateRunnerKey } from "../identity/registration.js";
import { loadRunnerKey } from "../identity/runner-key.js";
import { stateDir } from "../runner-config.js";
import { localAdminClient } from "./chat.js";

export const RUNNER_USAGE = `  runner register       register the runner's key with the gateway and pin the gateway's key (GATEWAY_TOKEN)
  runner rotate         new key, vouched for by the current one; older keys are retired
  runner revoke <kid>   revoke a runner key: its socket closes at once, with no key left its queue is stopped
  runner status         every runner: connected, last seen, queue depth`;

/** `drawbridge runner register|rotate|revoke|status`; false if `args` is none of them. */
export async function runnerCommand(args: string[], keyPath: string, say: (line: string) => void): Promise<boolean> {
  const name = process.env.DRAWBRIDGE_RUNNER_NAME ?? "home";
  switch (args[0]) {
    case "register": {
      const key = await loadRunnerKey(keyPath);
      const result = await registerRunner(await localAdminClient(), stateDir(), name, key);
      say(`Registered runner ${name} with key ${result.kid}`);
      say(`${result.pinned === "new" ? "Pinned" : "Gateway key unchanged:"} gateway key ${result.gatewayKid}`);
      return true;
    }
    case "rotate": {
      const result = await rotateRunnerKey(await localAdminClient(), stateDir(), name, keyPath);
      say(`Rotated runner ${name}: ${result.oldKid} → ${result.newKid}`);
      say(`The running runner uses the new key on its next connect; once it has, revoke the old one:`);
      say(`  drawbridge runner revoke ${result.oldKid}`);
      return true;
    }
    case "revoke": {
      const kid = args[1];
      if (!kid) throw new Error("usage: drawbridge runner revoke <kid>");
      const result = await (await localAdminClient()).revokeRunnerKey(kid);
      say(`Revoked ${kid} of runner ${result.runner}: ${result.closed} socket(s) closed, ${result.cancelled} queued call(s) stopped`);
      return true;
    }
    case "status": {
      const { runners } = await (await localAdminClient()).status();
      for (const runner of runners) say(JSON.stringify(runner));
      if (runners.length === 0) say("no runners registered");
      return true;
    }
    default:
      return false;
  }
}
