// What a test scripts into the model stand-in (test/support/model-standin.ts) and reads back. No
// node: imports: workerd tests use ModelStandInControl over HTTP, node tests the stand-in directly.

/** A tool call the stand-in's model makes; `input` that is a string goes out as raw arguments (so it can be invalid JSON). */
export type ScriptedToolCall = { id?: string; name: string; input: unknown };

export type ScriptedUsage = { inputTokens: number; outputTokens: number };

/** One scripted answer. `delayMs` holds it back (for timeouts); `repeat` keeps it queued for every later request. */
export type ScriptedReply = (
  | { kind: "text"; text: string }
  | { kind: "tool_calls"; calls: ScriptedToolCall[]; text?: string }
  /** An HTTP error in the provider's own format; `body` (a string is sent raw) replaces the default one. */
  | { kind: "error"; status: number; body?: unknown; headers?: Record<string, string> }
  /** Any status and body at all: non-JSON, or JSON of the wrong shape. */
  | { kind: "garbage"; body: string; status?: number; contentType?: string }
) & { usage?: ScriptedUsage; delayMs?: number; repeat?: boolean };

export type ModelWireFormat = "openai" | "anthropic";

/** A request the stand-in received, as sent: `key` is the conversation it matched (null: none). */
export type RecordedModelRequest = {
  key: string | null;
  format: ModelWireFormat;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
};

/** The text a stand-in answers when nothing is scripted for the conversation. */
export const UNSCRIPTED_TEXT = "stand-in: nothing scripted for this conversation";

/**
 * Drives a model stand-in over HTTP (from workerd). A conversation key is matched against the
 * request's model name first, then anywhere in its body (a marker in the user's message), so
 * parallel test files that use their own keys never see each other's replies.
 */
export class ModelStandInControl {
  constructor(readonly root: string) {}

  /** The base URL to configure as DRAWBRIDGE_MODEL_BASE_URL (it includes /v1). */
  get baseUrl(): string {
    return `${this.root}/v1`;
  }

  async script(key: string, ...replies: ScriptedReply[]): Promise<void> {
    await this.post("/__standin/script", { key, replies });
  }

  async requests(key: string): Promise<RecordedModelRequest[]> {
    const response = await fetch(`${this.root}/__standin/requests?key=${encodeURIComponent(key)}`);
    const recorded: unknown = await response.json();
    return recorded as RecordedModelRequest[];
  }

  async reset(key: string): Promise<void> {
    await this.post("/__standin/reset", { key });
  }

  /** What `GET /v1/models` lists. */
  async setModels(models: string[]): Promise<void> {
    await this.post("/__standin/models", { models });
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.root}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`model stand-in ${path} answered ${response.status}: ${await response.text()}`);
    await response.body?.cancel();
  }
}
