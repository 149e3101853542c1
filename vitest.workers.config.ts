import { defineWorkersConfig } from "@cloudflare/vitest-pool-workers/config";
import { generateKeyPairSync } from "node:crypto";

/** Bindings every Worker test starts with; a test removes one to see the gateway fail closed. */
export const TEST_BINDINGS = {
  TELEGRAM_BOT_TOKEN: "123456:worker-test-token",
  TELEGRAM_WEBHOOK_SECRET: "worker-test-webhook-secret",
  GATEWAY_TOKEN: "worker-test-gateway-token",
  DRAWBRIDGE_OWNER: "telegram:111111111",
  // Nothing listens here: a reply that tried to reach Telegram would fail, never leave the machine.
  TELEGRAM_API_ROOT: "http://127.0.0.1:9",
  // Slack on, with nowhere to reach either: tests that follow Slack replies point SLACK_API_ROOT at the stand-in.
  SLACK_SIGNING_SECRET: "worker-test-slack-signing-secret",
  SLACK_BOT_TOKEN: "xoxb-worker-test-slack-token",
  SLACK_API_ROOT: "http://127.0.0.1:9",
  // WhatsApp on too, equally unreachable: tests that follow its replies point WHATSAPP_API_ROOT at the Graph API stand-in.
  WHATSAPP_APP_SECRET: "worker-test-whatsapp-app-secret",
  WHATSAPP_VERIFY_TOKEN: "worker-test-whatsapp-verify-token",
  WHATSAPP_ACCESS_TOKEN: "EAAworker-test-whatsapp-access-token",
  WHATSAPP_PHONE_NUMBER_ID: "100000000000001",
  WHATSAPP_API_ROOT: "http://127.0.0.1:9",
  // Discord on too, equally unreachable; its public key from a pair made fresh each run (the tests sign with pairs of their own).
  DISCORD_PUBLIC_KEY: generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex"),
  DISCORD_APPLICATION_ID: "100000000000000001",
  DISCORD_BOT_TOKEN: "worker-test-discord-bot-token",
  DISCORD_API_ROOT: "http://127.0.0.1:9",
  // Signs per-call capabilities; generated fresh at every run, so no private key is ever committed.
  GATEWAY_SIGNING_KEY: JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })),
  // The model API key the assistant tests expect to reach the model stand-in, and nothing else.
  DRAWBRIDGE_MODEL_API_KEY: "sk-drawbridge-test-7f3c9a1e5b2d4680",
};

/**
 * Tests that leave the test runtime worse for whoever comes after them, run in a runtime of their own
 * (vitest.workers-isolated.config.ts, its own `npm test` suite). The linger test holds 64 sockets that
 * never answer a close, on purpose; in the shared runtime the socket tests after it then hung, in
 * every full run where it came early (tunnel-flood, token attacks, batches), never alone.
 */
export const ISOLATED_WORKER_TESTS = [
  "test/worker/tunnel-preauth-linger.test.ts",
  // The two 10,000-frame floods: the one test that still hung in the shared runtime after the linger test left it.
  "test/worker/tunnel-flood.test.ts",
  "test/worker/tunnel-preauth-abuse.test.ts",
];

// Worker tests run inside workerd with the real Durable Objects from wrangler.toml.
export function workersConfig(include: string[], exclude: string[] = []) {
  return defineWorkersConfig({
    test: {
      include,
      exclude,
      // Assistant turns cross several objects, the model stand-in and a scripted runner: on two loaded cores that takes seconds.
      testTimeout: 30_000,
      // The pool re-imports the Worker for each test file and, now and then, drops a live Durable Object
      // mid-test with "index.ts changed, invalidating this Durable Object" (workers-sdk#13761) — seen in
      // the full suite only, never in a file alone. A failed test runs once more; a real failure fails twice.
      retry: 1,
      // A Bot API stand-in (Node HTTP server) for tests that follow replies to Telegram.
      globalSetup: ["./test/support/worker-global-setup.ts"],
      // Every file closes the test sockets it left open when it ends (tunnel-harness.ts, openSockets).
      setupFiles: ["./test/worker/close-test-sockets.ts"],
      poolOptions: {
        workers: {
          singleWorker: true,
          // Durable Objects here hold WebSockets, which isolated per-test storage does not support.
          isolatedStorage: false,
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: { bindings: TEST_BINDINGS },
        },
      },
    },
  });
}

export default workersConfig(["test/worker/**/*.test.ts"], ISOLATED_WORKER_TESTS);
