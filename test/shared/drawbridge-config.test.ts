import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAccessConfig } from "../../shared/access/access-config.js";
import { checkDrawbridgeConfig } from "../../shared/config/config-issues.js";
import { configVarsOf, withEnvOverrides } from "../../shared/config/config-vars.js";
import { overrideProblems } from "../../shared/config/env-overrides.js";
import { JsoncSyntaxError, parseJsonc } from "../../shared/config/jsonc.js";

const projectRoot = join(import.meta.dirname, "..", "..");

function problemsOf(value: unknown): string[] {
  const checked = checkDrawbridgeConfig(value);
  return checked.ok ? [] : checked.problems;
}

describe("drawbridge.config.json: JSON with comments", () => {
  it("accepts // and /* */ comments and trailing commas, and keeps comment-like text inside strings", () => {
    const text = `// the owner
{
  /* block
     comment */ "owners": ["telegram:1",],
  "access": { "assistant": { "instructions": "see http://example.com // not a comment /* nor this */" }, },
}`;
    expect(parseJsonc(text)).toEqual({
      owners: ["telegram:1"],
      access: { assistant: { instructions: "see http://example.com // not a comment /* nor this */" } },
    });
  });

  it("names the line and column of a syntax error, without quoting the file", () => {
    const text = '{\n  "owners": ["telegram:1"]\n  "model": {}\n}';
    let error: unknown;
    try {
      parseJsonc(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(JsoncSyntaxError);
    expect((error as JsoncSyntaxError).message).toMatch(/^not valid JSON at line 3, column 3:/);
    // V8 quotes the text around an unexpected token; nothing of the file may reach the message.
    expect(() => parseJsonc('{"apiKey": sk-live-secret}')).toThrow(/^not valid JSON/);
    expect(() => parseJsonc('{"apiKey": sk-live-secret}')).not.toThrow(/sk-live/);
    expect(() => parseJsonc('{ /* never closed "a": 1 }')).toThrow(/comment is never closed/);
  });

  it("the committed example parses and passes the schema", async () => {
    const text = await readFile(join(projectRoot, "drawbridge.config.example.json"), "utf8");
    const raw = parseJsonc(text) as Record<string, unknown>;
    expect(raw.$schema).toBe("./drawbridge.config.schema.json");
    expect(problemsOf(raw)).toEqual([]);
  });
});

describe("drawbridge.config.json: bad values are named by key path", () => {
  it.each([
    [{ access: { dmPolicy: "everyone" } }, /^access\.dmPolicy is invalid: /],
    [
      { access: { rateLimits: { owner: { tool: { perMinute: -1, burst: 2 } } } } },
      /^access\.rateLimits\.owner\.tool\.perMinute is invalid: /,
    ],
    [{ access: { dmPolicy: "open" } }, /^access\.dmPolicy is invalid: "open" needs allowFrom to hold "\*"/],
    [
      { access: { tools: { roles: { trusted: { exec: { security: "sometimes" } } } } } },
      /^access\.tools\.roles\.trusted\.exec\.security is invalid/,
    ],
    [{ owners: ["@myname"] }, /^owners\.0 is invalid: /],
    [{ owners: [] }, /^owners is invalid: /],
    [{ owners: ["telegram:1", "telegram:2"] }, /^owners is invalid: at most one owner per channel/],
    [{ model: { id: "gpt-4o" } }, /^model\.id is invalid: expected "<provider>:<model>"/],
    [{ model: { id: "openai:x", baseUrl: "ftp://example.com" } }, /^model\.baseUrl is invalid: /],
    [{ hooks: { Deploys: { verify: "github" } } }, /^hooks\.Deploys is invalid|^hooks is invalid/],
    [{ hooks: { deploys: { verify: "github", tools: "root" } } }, /^hooks\.deploys\.tools is invalid: /],
    [{ defaultRunner: "" }, /^defaultRunner is invalid: /],
    [{ telegram: { apiRoot: "not a url" } }, /^telegram\.apiRoot is invalid: /],
  ])("%j", (config, expected) => {
    expect(problemsOf(config)[0]).toMatch(expected);
  });

  it("refuses an unknown key anywhere, naming its whole path", () => {
    expect(problemsOf({ ownerz: ["telegram:1"] })).toEqual(["ownerz is not a known key (see docs/config-reference.md)"]);
    expect(problemsOf({ access: { pairing: { mode: "approve", ttl: 5 } } })).toEqual([
      "access.pairing.ttl is not a known key (see docs/config-reference.md)",
    ]);
  });

  it("refuses a model API key in the file, pointing at the secret and never echoing the key", () => {
    for (const key of ["apiKey", "api_key", "key", "token"]) {
      const problems = problemsOf({ model: { id: "openai:gpt-4o-mini", [key]: "sk-live-0123456789" } });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^model\\.${key} is refused: .*DRAWBRIDGE_MODEL_API_KEY`));
      expect(problems.join("\n")).not.toContain("sk-live");
    }
    // A key smuggled in the base URL is refused too, without repeating the URL.
    const inUrl = problemsOf({ model: { id: "openai:x", baseUrl: "https://user:sk-live-0123@api.example.com/v1" } });
    expect(inUrl[0]).toMatch(/^model\.baseUrl is invalid: must not carry credentials; put the key in the DRAWBRIDGE_MODEL_API_KEY secret/);
    expect(inUrl.join("\n")).not.toContain("sk-live");
  });

  it("refuses other secrets wherever they are put, naming where they belong", () => {
    expect(problemsOf({ hooks: { deploys: { verify: "github", secret: "x" } } })[0]).toMatch(
      /^hooks\.deploys\.secret is refused: .*HOOK_DEPLOYS_SECRET/,
    );
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: "123:abc" })[0]).toMatch(/^TELEGRAM_BOT_TOKEN is refused: secrets never go in the config file/);
  });
});

describe("drawbridge.config.json → the Worker's vars", () => {
  const written = {
    owners: ["telegram:42", " console:7 "],
    access: { dmPolicy: "allowlist", allowFrom: ["99"] },
    model: { id: "anthropic:claude-sonnet-4-5", baseUrl: "https://proxy.example.com/v1/" },
    hooks: { deploys: { verify: "github" } },
    defaultRunner: "office",
    telegram: { apiRoot: "http://127.0.0.1:9999/" },
    slack: { apiRoot: "http://127.0.0.1:9998/api" },
  };

  it("maps each setting to its var; access and hooks go as written, and the Worker reads them back", () => {
    const checked = checkDrawbridgeConfig(written);
    if (!checked.ok) throw new Error(checked.problems.join("\n"));
    const vars = configVarsOf(checked.config, written);
    expect(vars).toEqual({
      DRAWBRIDGE_OWNER: "telegram:42,console:7",
      DRAWBRIDGE_ACCESS: JSON.stringify(written.access),
      DRAWBRIDGE_MODEL: "anthropic:claude-sonnet-4-5",
      DRAWBRIDGE_MODEL_BASE_URL: "https://proxy.example.com/v1/",
      DRAWBRIDGE_HOOKS: JSON.stringify(written.hooks),
      DEFAULT_RUNNER: "office",
      TELEGRAM_API_ROOT: "http://127.0.0.1:9999",
      SLACK_API_ROOT: "http://127.0.0.1:9998/api",
    });
    const access = parseAccessConfig(vars.DRAWBRIDGE_ACCESS);
    expect(access.ok && access.config.dmPolicy).toBe("allowlist");
  });

  it("an empty file sets no var, so the Worker's own defaults apply", () => {
    const checked = checkDrawbridgeConfig({});
    expect(checked.ok && configVarsOf(checked.config, {})).toEqual({});
  });

  it("a set environment variable wins over the file; an empty one does not", () => {
    const checked = checkDrawbridgeConfig(written);
    if (!checked.ok) throw new Error(checked.problems.join("\n"));
    const vars = withEnvOverrides(configVarsOf(checked.config, written), {
      DRAWBRIDGE_ACCESS: '{"dmPolicy":"disabled"}',
      DEFAULT_RUNNER: "",
      DRAWBRIDGE_MODEL_API_KEY: "sk-live-never-a-var",
    });
    expect(vars.DRAWBRIDGE_ACCESS).toBe('{"dmPolicy":"disabled"}');
    expect(vars.DEFAULT_RUNNER).toBe("office");
    expect(Object.values(vars).join(" ")).not.toContain("sk-live");
  });
});

describe("environment overrides are checked as the Worker would check them", () => {
  it("names the variable and the key path, never the value", () => {
    expect(
      overrideProblems({
        DRAWBRIDGE_ACCESS: '{"dmPolicy":"everyone"}',
        DRAWBRIDGE_HOOKS: "{not json",
        DRAWBRIDGE_OWNER: "telegram:1,telegram:2",
        DRAWBRIDGE_MODEL: "sk-live-pasted-key-here",
        TELEGRAM_API_ROOT: "",
      }),
    ).toEqual([
      "DRAWBRIDGE_OWNER (from the environment): two owners on telegram; one per channel",
      expect.stringMatching(/^DRAWBRIDGE_ACCESS \(from the environment\): dmPolicy is invalid: /),
      expect.stringMatching(/^DRAWBRIDGE_MODEL \(from the environment\): expected "<provider>:<model>"/),
      "DRAWBRIDGE_HOOKS (from the environment): not valid JSON",
    ]);
    expect(overrideProblems({ DRAWBRIDGE_MODEL: "sk-live-pasted-key-here" }).join("\n")).not.toContain("sk-live");
  });

  it("accepts what npm start's tests and users set", () => {
    expect(
      overrideProblems({
        DRAWBRIDGE_OWNER: "telegram:123456789",
        DRAWBRIDGE_ACCESS: '{"dmPolicy":"allowlist","allowFrom":["7"]}',
        DRAWBRIDGE_MODEL: "home:llama3",
        DEFAULT_RUNNER: "home",
        TELEGRAM_API_ROOT: "http://127.0.0.1:9",
      }),
    ).toEqual([]);
  });
});
