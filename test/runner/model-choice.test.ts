import { describe, expect, it } from "vitest";
import { chooseModel } from "../../runner/local-stack/model-choice.js";
import { runnerEnvironment } from "../../runner/local-stack/runner-env.js";

// The model `npm start` hands the gateway and the runner, and the one line it prints about it.
const KEY = "sk-secret-7f3a9c1e";
const ollama = () => Promise.resolve({ baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.2:latest" });
const nothing = () => Promise.resolve(null);

describe("npm start's model", () => {
  it("adds nothing to a configured model (the env file takes it from the environment), and names it without the key", async () => {
    const choice = await chooseModel(
      { DRAWBRIDGE_MODEL: "openai:gpt-4o-mini", DRAWBRIDGE_MODEL_BASE_URL: "https://openrouter.ai/api/v1", DRAWBRIDGE_MODEL_API_KEY: KEY },
      ollama,
    );
    expect(choice).toMatchObject({ gateway: {}, runner: {} });
    expect(choice.line).toBe("Model: openai:gpt-4o-mini at openrouter.ai (API key set).");
  });

  it("says when a provider's key is missing, and never prints credentials pasted into a base URL", async () => {
    const choice = await chooseModel({
      DRAWBRIDGE_MODEL: "anthropic:claude-x",
      DRAWBRIDGE_MODEL_BASE_URL: `https://u:${KEY}@example.com/v1`,
    });
    expect(choice.line).toBe("Model: anthropic:claude-x at example.com (no DRAWBRIDGE_MODEL_API_KEY set).");
    expect(choice.line).not.toContain(KEY);
  });

  it("uses a model server found on loopback through home:, telling the runner where it is", async () => {
    const choice = await chooseModel({}, ollama);
    expect(choice.gateway).toEqual({ DRAWBRIDGE_MODEL: "home:llama3.2:latest" });
    expect(choice.runner).toEqual({ DRAWBRIDGE_HOME_MODEL_URL: "http://127.0.0.1:11434/v1" });
    expect(choice.line).toContain("Model: home:llama3.2:latest, found at http://127.0.0.1:11434/v1");
  });

  it("with nothing found, says the assistant is off and how to configure a model", async () => {
    const choice = await chooseModel({}, nothing);
    expect(choice).toMatchObject({ gateway: {}, runner: {} });
    expect(choice.line).toMatch(/^Model: none, the assistant is off .*DRAWBRIDGE_MODEL.*Ollama or LM Studio/);
  });

  it("finds the server for a configured home: model that names no URL, and leaves a named one alone", async () => {
    expect((await chooseModel({ DRAWBRIDGE_MODEL: "home:qwen" }, ollama)).runner).toEqual({
      DRAWBRIDGE_HOME_MODEL_URL: "http://127.0.0.1:11434/v1",
    });
    const named = await chooseModel({ DRAWBRIDGE_MODEL: "home:qwen", DRAWBRIDGE_HOME_MODEL_URL: "http://127.0.0.1:8080/v1" }, ollama);
    expect(named.runner).toEqual({});
    expect(named.line).toBe("Model: home:qwen at 127.0.0.1:8080, reached through the runner.");
  });

  it("keeps the API key, and every other secret of the edge, out of the runner's environment", () => {
    const edge = {
      DRAWBRIDGE_MODEL_API_KEY: KEY,
      TELEGRAM_BOT_TOKEN: "123:abc",
      TELEGRAM_WEBHOOK_SECRET: "w",
      GATEWAY_TOKEN: "g",
      GATEWAY_SIGNING_KEY: "{}",
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: "s",
      DISCORD_BOT_TOKEN: "d",
      WHATSAPP_ACCESS_TOKEN: "EAAG",
      WHATSAPP_APP_SECRET: "a",
      HOOK_DEPLOYS_EU_SECRET: "whsec_x",
    };
    const kept = { PATH: "/bin", DRAWBRIDGE_MODEL: "home:qwen", TELEGRAM_API_ROOT: "http://127.0.0.1:1", DOCKER_HOST: "unix:///x" };
    expect(runnerEnvironment({ ...edge, ...kept })).toEqual(kept);
  });
});
