import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app.js";
import { ADMIN_BODY_MAX_BYTES } from "../../worker/http/admin-body-limit.js";
import { ConsoleReply } from "../../shared/admin-api.js";
import { readError, readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";

const CHUNK_BYTES = 16 * 1024;
const TOTAL_BYTES = 20 * 1024 * 1024;
const TOTAL_CHUNKS = TOTAL_BYTES / CHUNK_BYTES;

/** A 20 MB chunked body (no Content-Length) that counts how many chunks the gateway pulled from it. */
function endlessBody(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const filler = new TextEncoder().encode("a".repeat(CHUNK_BYTES));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 1;
      if (pulled === 1) controller.enqueue(new TextEncoder().encode('{"text":"'));
      else if (pulled > TOTAL_CHUNKS) controller.close();
      else controller.enqueue(filler);
    },
  });
  return { stream, pulled: () => pulled };
}

async function postStream(stream: ReadableStream<Uint8Array>, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return app.request("/api/messages", { method: "POST", headers, body: stream, duplex: "half" } as RequestInit, env, executionContext);
}

describe("admin API body limit", () => {
  it("answers 413 payload_too_large to a chunked 20 MB body without reading it to the end", async () => {
    const body = endlessBody();
    const response = await postStream(body.stream, env.GATEWAY_TOKEN ?? null);
    expect(response.status).toBe(413);
    const error = await readError(response);
    expect(error.code).toBe("payload_too_large");
    expect(error.message).toContain(String(ADMIN_BODY_MAX_BYTES));
    // 64 KiB is four 16 KiB chunks; a handful more may be buffered ahead, never the 1,280.
    expect(body.pulled()).toBeLessThan(20);
  });

  it("never reads an unauthenticated body: 401 first, whatever its size", async () => {
    const body = endlessBody();
    const response = await postStream(body.stream, "wrong-token");
    expect(response.status).toBe(401);
    expect((await readError(response)).code).toBe("unauthorized");
    expect(body.pulled()).toBeLessThan(3);
  });

  it("answers 413 at once to a declared Content-Length over the cap", async () => {
    const response = await SELF.fetch("http://gateway/api/messages", {
      method: "POST",
      headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "x".repeat(ADMIN_BODY_MAX_BYTES) }),
    });
    expect(response.status).toBe(413);
    expect((await readError(response)).code).toBe("payload_too_large");

    const declared = endlessBody();
    const refused = await app.request(
      "/api/messages",
      {
        method: "POST",
        headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-length": String(TOTAL_BYTES) },
        body: declared.stream,
        duplex: "half",
      } as RequestInit,
      env,
      executionContext,
    );
    expect(refused.status).toBe(413);
    expect(declared.pulled()).toBeLessThan(3);
  });

  it("still serves a normal admin request, and reads a body just under the cap", async () => {
    const send = (body: string) =>
      SELF.fetch("http://gateway/api/messages", {
        method: "POST",
        headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}`, "content-type": "application/json" },
        body,
      });
    expect((await readJson(await send(JSON.stringify({ text: "/help" })), ConsoleReply)).reply).toContain("/run <command>");
    // Read and judged by its schema (the text is over 8192 characters), not refused for its size.
    const nearCap = await send(JSON.stringify({ text: "x".repeat(ADMIN_BODY_MAX_BYTES - 100) }));
    expect(nearCap.status).toBe(400);
    expect((await readError(nearCap)).code).toBe("bad_request");
  });
});
