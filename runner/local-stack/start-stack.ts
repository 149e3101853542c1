import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { registerRunner } from "../identity/registration.js";
import { generateRunnerKey, loadRunnerKey } from "../identity/runner-key.js";
import { stateDir as resolveStateDir } from "../runner-config.js";
import { ensureSandboxImage, imageExists, SANDBOX_IMAGE } from "../sandbox/sandbox-image.js";
import { parseAccessConfig } from "../../shared/access/access-config.js";
import { AdminClient } from "../cli/admin-client.js";
import { gatewayVars } from "../config/gateway-vars.js";
import { bundleRunner, RUNNER_NODE_FLAGS } from "../bundle/bundle-runner.js";
import { spawnLogged, stopChild } from "./child-process.js";
import { runnerEnvironment } from "./runner-env.js";
import { ensureDockerEngine } from "./docker-engine.js";
import { startLocalGateway } from "./local-gateway.js";
import { ensureLocalSecrets } from "./local-secrets.js";
import { chooseModel } from "./model-choice.js";
import { isTunnelReady, runnerLine } from "./runner-lines.js";
import type { PollRelay } from "./telegram-poll/poll-relay.js";
import { pollSummaryLine, startTelegramPoll, TelegramPollError, telegramPollWanted } from "./telegram-poll/start-telegram-poll.js";

const MIN_NODE_MAJOR = 20;

/**
 * `npm start`: the whole stack on this machine — Docker and the sandbox image, local secrets
 * and a runner key on first run, the Worker under `wrangler dev`, the runner registered and
 * connected — then one `READY <url>` line. It names the model the assistant uses (one it finds on
 * this machine's loopback when none is configured) before the gateway starts. Ctrl-C stops everything it started.
 * One line per step: the children's whole output goes to gateway.log and runner.log in the state
 * dir, and only their warnings, errors and milestones reach the terminal.
 */
export async function startStack(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const major = Number(process.versions.node.split(".")[0]);
  if (major < MIN_NODE_MAJOR) throw new Error(`Node ${MIN_NODE_MAJOR}+ is required; this is ${process.version}`);

  // The config file first: a bad value is refused naming its key path before anything starts.
  const configured = await gatewayVars(env);
  if (configured.file.path) say(`Config: ${configured.file.path} (environment variables override it).`);
  // What the gateway is given reads as if the file's settings were environment variables that were not already set.
  const gatewayEnv: NodeJS.ProcessEnv = { ...env, ...configured.vars };
  const stateDir = resolveStateDir(env);
  const port = Number(env.PORT ?? 8787);
  const runnerName = env.DRAWBRIDGE_RUNNER_NAME ?? configured.vars.DEFAULT_RUNNER ?? "home";
  const children: ChildProcess[] = [];
  let telegramPoll: PollRelay | null = null;
  let stopping = false;
  const stopAll = async (code: number, why?: string) => {
    if (stopping) return;
    stopping = true;
    say(why ?? "Stopping…");
    // The relay first: an update it is handing over stays unconfirmed at Telegram and comes again next start.
    await telegramPoll?.stop();
    // Both children treat SIGINT as Ctrl-C: the runner removes its containers, wrangler shuts down cleanly.
    for (const child of children.reverse()) await stopChild(child, "SIGINT");
    process.exit(code);
  };
  // A child that cannot be stopped still ends the stack, saying so, with a non-zero code.
  const stop = (code: number, why?: string) =>
    void stopAll(code, why).catch((error: unknown) => {
      say(`Could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));

  const docker = await ensureDockerEngine(stateDir, say, env);
  if (await imageExists(docker, SANDBOX_IMAGE)) say(`Sandbox image ${SANDBOX_IMAGE}: ready.`);
  else {
    say("Building the sandbox image from a static busybox (no registry needed)…");
    await ensureSandboxImage(docker);
  }
  const model = await chooseModel(gatewayEnv);
  say(model.line);
  // The access config the gateway serves with: checked here, so a bad value is refused naming its key.
  const access = parseAccessConfig(configured.vars.DRAWBRIDGE_ACCESS);
  if (!access.ok) throw new Error(access.message);
  const { secrets, envFile } = await ensureLocalSecrets(stateDir, gatewayEnv, {
    DEFAULT_RUNNER: runnerName,
    ...configured.vars,
    ...model.gateway,
  });
  let gatewayUp: () => void = () => undefined;
  if (telegramPollWanted(env)) {
    // A real bot without a public URL: getMe and the webhook check now, so a refusal comes before anything
    // starts; polling waits for the gateway, and uses the Bot API root and token the gateway replies with.
    const relay = startTelegramPoll({
      env,
      secrets,
      gatewayUrl: `http://127.0.0.1:${port}`,
      gatewayReady: new Promise<void>((resolve) => (gatewayUp = resolve)),
      stateDir,
      say,
    });
    telegramPoll = relay;
    await relay.firstAnswer;
    if (relay.endedWith?.kind === "refused") {
      throw new TelegramPollError("not polling Telegram (the line above says why)");
    }
    relay.ended
      .then((end) => {
        if (end.kind === "refused") stop(1, "Stopping: Telegram polling was refused (the line above).");
      })
      .catch(() => undefined);
  }
  const keyPath = join(stateDir, "runner-key.json");
  const key = await loadRunnerKey(keyPath).catch(async () => {
    say(`Creating the runner key ${keyPath} (mode 0600).`);
    return generateRunnerKey(keyPath);
  });

  say(`Starting the gateway (wrangler dev) on 127.0.0.1:${port}…`);
  const gateway = await startLocalGateway({ port, envFile, persistDir: join(stateDir, "wrangler-state") });
  children.push(gateway.child);
  gateway.child.once("exit", (code) => stop(1, `The gateway exited (code ${code}); its full output: ${gateway.logPath}`));
  gatewayUp();

  say(`Registering the runner ${runnerName}…`);
  await registerRunner(new AdminClient(gateway.url, secrets.GATEWAY_TOKEN), stateDir, runnerName, key);

  // The runner runs as one bundled JavaScript file on plain Node: no TypeScript loader in the long-lived process.
  const runnerBundle = await bundleRunner(join(stateDir, "runner.mjs"));
  const runnerLog = join(stateDir, "runner.log");
  const modelName = model.gateway.DRAWBRIDGE_MODEL ?? (gatewayEnv.DRAWBRIDGE_MODEL?.trim() || "none");
  let announced = false;
  const runner = spawnLogged(
    process.execPath,
    [...RUNNER_NODE_FLAGS, runnerBundle],
    {
      env: {
        // The edge's secrets (bot tokens, the model's key, hook secrets…) go to the gateway only, never to the runner.
        ...runnerEnvironment(env),
        DRAWBRIDGE_STATE_DIR: stateDir,
        DRAWBRIDGE_GATEWAY_URL: gateway.url,
        DRAWBRIDGE_RUNNER_NAME: runnerName,
        DRAWBRIDGE_RUNNER_KEY: keyPath,
        ...model.runner,
      },
    },
    runnerLog,
    (line) => {
      // While stopping, the runner's tunnel drops as the gateway goes: that is in its log, not news.
      if (announced || !isTunnelReady(line)) return announced && !stopping ? runnerLine(line) : null;
      // The first connect ends start-up: the summary, then READY as its last line.
      announced = true;
      say(`Runner ${runnerName} connected (its log: ${runnerLog}; the gateway's: ${gateway.logPath}).`);
      say(`Owner ${secrets.DRAWBRIDGE_OWNER} · DMs: ${access.config.dmPolicy} · model: ${modelName} · runner: ${runnerName}`);
      if (telegramPoll) say(pollSummaryLine(telegramPoll));
      process.stdout.write(`READY ${gateway.url} — chat with \`npm run chat\`, or POST ${gateway.url}/api/messages\n`);
      return null;
    },
  );
  children.push(runner);
  runner.once("exit", (code) => stop(1, `The runner exited (code ${code}); its full output: ${runnerLog}`));
}
