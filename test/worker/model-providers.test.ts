import { describe, expect, it } from "vitest";
import { GatewayError } from "../../worker/http/gateway-error.js";
import { modelSettingOf } from "../../worker/assistant/model/model-setting.js";
import { modelStep } from "../../worker/assistant/model/model-step.js";
import { HOME_MODEL_BASE_URL } from "../../worker/assistant/model/provider-model.js";
import { API_KEY, envFor, expectModelError, freshModel, input, settingOf, standIn } from "./model-harness.js";
import { env } from "cloudflare:test";

describe("DRAWBRIDGE_MODEL", () => {
  it("unset or empty means no model", () => {
    expect(modelSettingOf({ ...env, DRAWBRIDGE_MODEL: "" })).toBeNull();
    expect(modelSettingOf({ ...env, DRAWBRIDGE_MODEL: "  " })).toBeNull();
  });

  it("reads provider:model, with each provider's default base URL", () => {
    const of = (value: string, baseUrl = "") => modelSettingOf({ ...env, DRAWBRIDGE_MODEL: value, DRAWBRIDGE_MODEL_BASE_URL: baseUrl });
    expect(of("openai:gpt-4o-mini")).toEqual({
      provider: "openai",
      model: "gpt-4o-mini",
      id: "openai:gpt-4o-mini",
      baseUrl: "https://api.openai.com/v1",
    });
    expect(of("anthropic:claude-sonnet-4-5")?.baseUrl).toBe("https://api.anthropic.com/v1");
    // Model names may hold colons and slashes (Ollama tags, OpenRouter ids).
    expect(of("openai:qwen2.5:7b", "http://127.0.0.1:11434/v1/")).toMatchObject({
      model: "qwen2.5:7b",
      baseUrl: "http://127.0.0.1:11434/v1",
    });
    expect(of("workers-ai:@cf/meta/llama-3.1-8b-instruct")).toMatchObject({
      provider: "workers-ai",
      model: "@cf/meta/llama-3.1-8b-instruct",
      baseUrl: null,
    });
    expect(of("home:llama3.2")).toMatchObject({ provider: "home", baseUrl: null });
  });

  it.each([
    ["gpt-4o", "DRAWBRIDGE_MODEL"],
    ["azure:gpt-4o", "DRAWBRIDGE_MODEL"],
    ["openai:", "DRAWBRIDGE_MODEL"],
    [":gpt-4o", "DRAWBRIDGE_MODEL"],
  ])("refuses %s naming the key and the accepted forms", (value, key) => {
    const refusal = (() => {
      try {
        modelSettingOf({ ...env, DRAWBRIDGE_MODEL: value });
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(GatewayError);
    expect(refusal).toMatchObject({ status: 503, code: "config_invalid" });
    expect((refusal as GatewayError).message).toContain(key);
    expect((refusal as GatewayError).message).toContain("anthropic:<model>");
  });

  it.each([
    ["openai:gpt-4o", "not a url"],
    ["openai:gpt-4o", "ftp://example.com/v1"],
    ["openai:gpt-4o", `https://user:${API_KEY}@example.com/v1`],
    ["home:llama3", "http://127.0.0.1:11434/v1"],
  ])("refuses %s with base URL %s", (model, baseUrl) => {
    expect(() => modelSettingOf({ ...env, DRAWBRIDGE_MODEL: model, DRAWBRIDGE_MODEL_BASE_URL: baseUrl })).toThrow(
      /DRAWBRIDGE_MODEL_BASE_URL/,
    );
    try {
      modelSettingOf({ ...env, DRAWBRIDGE_MODEL: model, DRAWBRIDGE_MODEL_BASE_URL: baseUrl });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(API_KEY);
    }
  });
});

describe("what a provider needs before it can answer", () => {
  it("OpenAI itself without a key is no_key, naming the secret and the command", async () => {
    const testEnv = { ...env, DRAWBRIDGE_MODEL: "openai:gpt-4o-mini", DRAWBRIDGE_MODEL_BASE_URL: "", DRAWBRIDGE_MODEL_API_KEY: undefined };
    const error = await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi")), "no_key");
    expect(error.userMessage).toContain("DRAWBRIDGE_MODEL_API_KEY");
    expect(error.userMessage).toContain("wrangler secret put DRAWBRIDGE_MODEL_API_KEY");
  });

  it("Anthropic without a key is no_key", async () => {
    const testEnv = {
      ...env,
      DRAWBRIDGE_MODEL: "anthropic:claude-x",
      DRAWBRIDGE_MODEL_BASE_URL: standIn.baseUrl,
      DRAWBRIDGE_MODEL_API_KEY: undefined,
    };
    await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi")), "no_key");
  });

  it("a local OpenAI-compatible server answers without a key, and is sent none", async () => {
    const model = freshModel("local");
    await standIn.script(model, { kind: "text", text: "no key needed" });
    const testEnv = envFor("openai", model, { DRAWBRIDGE_MODEL_API_KEY: undefined });
    await expect(modelStep(testEnv, settingOf(testEnv), input("hi"))).resolves.toMatchObject({ text: "no key needed" });
    expect((await standIn.requests(model))[0]?.headers.authorization).toBeUndefined();
  });

  it("an endpoint where nothing listens is unavailable", async () => {
    const testEnv = envFor("openai", "gpt-nowhere", { DRAWBRIDGE_MODEL_BASE_URL: "http://127.0.0.1:9/v1" });
    const error = await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi")), "unavailable");
    expect(error.userMessage).toContain("openai:gpt-nowhere");
  });

  it("workers-ai without the AI binding is unavailable", async () => {
    const testEnv = { ...env, DRAWBRIDGE_MODEL: "workers-ai:@cf/meta/llama-3.1-8b-instruct", AI: undefined };
    const error = await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi")), "unavailable");
    expect(error.userMessage).toContain("AI");
  });
});

describe("workers-ai: through the AI binding", () => {
  it("answers with text, tool calls and usage from a binding", async () => {
    const runs: Array<{ model: string; inputs: Record<string, unknown> }> = [];
    const binding = {
      run: (model: string, inputs: Record<string, unknown>) => {
        runs.push({ model, inputs });
        return Promise.resolve({
          response: "from workers ai",
          tool_calls: [{ id: "call_w", name: "ls", arguments: { path: "docs" } }],
          usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
        });
      },
    } as unknown as Ai;
    const testEnv = { ...env, DRAWBRIDGE_MODEL: "workers-ai:@cf/meta/llama-3.1-8b-instruct", AI: binding };

    const result = await modelStep(testEnv, settingOf(testEnv), input("hi"));

    expect(result).toMatchObject({ text: "from workers ai", usage: { inputTokens: 12, outputTokens: 3 } });
    expect(result.toolCalls).toMatchObject([{ name: "ls", input: { path: "docs" } }]);
    expect(runs[0]?.model).toBe("@cf/meta/llama-3.1-8b-instruct");
    expect(JSON.stringify(runs[0]?.inputs.tools)).toContain('"command"');
  });

  it("a binding out of capacity is rate_limited after one retry, not a crash", async () => {
    let runs = 0;
    const binding = {
      run: () => {
        runs += 1;
        return Promise.reject(new Error("3040: Capacity temporarily exceeded, please try again."));
      },
    } as unknown as Ai;
    const testEnv = { ...env, DRAWBRIDGE_MODEL: "workers-ai:@cf/meta/llama-3.1-8b-instruct", AI: binding };
    await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi")), "rate_limited");
    expect(runs).toBe(2);
  });
});

describe("home: the model on the runner's loopback, through the relay", () => {
  /** A relay as the tunnel's would be: it forwards the path under /v1 to the stand-in, and counts what it saw. */
  function relayTo(root: string, seen: Request[]): typeof fetch {
    return async (resource, init) => {
      const request = new Request(resource, init);
      seen.push(request.clone());
      const path = new URL(request.url).pathname;
      return fetch(`${root}${path}`, {
        method: request.method,
        headers: { "content-type": "application/json" },
        body: await request.text(),
      });
    };
  }

  it("answers through the relay fetch with no key sent, even when one is configured", async () => {
    const model = freshModel("home");
    await standIn.script(model, { kind: "tool_calls", calls: [{ id: "call_h", name: "ls", input: {} }] });
    const seen: Request[] = [];
    const testEnv = { ...env, DRAWBRIDGE_MODEL: `home:${model}`, DRAWBRIDGE_MODEL_BASE_URL: "", DRAWBRIDGE_MODEL_API_KEY: API_KEY };

    const result = await modelStep(testEnv, settingOf(testEnv), input("hi"), { fetch: relayTo(standIn.root, seen) });

    expect(result.toolCalls).toEqual([{ id: "call_h", name: "ls", input: {} }]);
    expect(seen.map((request) => request.url)).toEqual([`${HOME_MODEL_BASE_URL}/chat/completions`]);
    for (const request of seen) {
      expect([...request.headers.entries()].flat().join(" ")).not.toContain(API_KEY);
      expect(request.headers.get("authorization")).toBeNull();
    }
  });

  it("the relay's offline answer is offline", async () => {
    const offline: typeof fetch = () =>
      Promise.resolve(
        new Response(JSON.stringify({ error: { code: "home_model_offline", message: "runner home is offline" } }), {
          status: 503,
          headers: { "content-type": "application/json" },
        }),
      );
    const testEnv = { ...env, DRAWBRIDGE_MODEL: "home:llama3", DRAWBRIDGE_MODEL_BASE_URL: "" };
    const error = await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi"), { fetch: offline }), "offline");
    expect(error.userMessage).toMatch(/home model is offline/i);
  });

  it("a relay that cannot connect at all is unavailable, not a crash", async () => {
    const broken: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
    const testEnv = { ...env, DRAWBRIDGE_MODEL: "home:llama3", DRAWBRIDGE_MODEL_BASE_URL: "" };
    await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi"), { fetch: broken }), "unavailable");
  });

  it("without a relay, home is unavailable", async () => {
    const testEnv = { ...env, DRAWBRIDGE_MODEL: "home:llama3", DRAWBRIDGE_MODEL_BASE_URL: "" };
    await expectModelError(modelStep(testEnv, settingOf(testEnv), input("hi")), "unavailable");
  });
});
