import { describe, expect, it } from "vitest";
import { retryOnce } from "../../worker/objects/retry-once.js";

/** An error shaped as workerd marks Durable Object failures. */
function marked(message: string, marks: { retryable?: boolean; overloaded?: boolean }): Error {
  return Object.assign(new Error(message), marks);
}

describe("retryOnce (Durable Object calls)", () => {
  it("retries a retryable error once, and only once", async () => {
    let calls = 0;
    const flaky = () => {
      calls += 1;
      return calls === 1 ? Promise.reject(marked("object reset", { retryable: true })) : Promise.resolve("ok");
    };
    expect(await retryOnce(flaky)).toBe("ok");
    expect(calls).toBe(2);

    let always = 0;
    await expect(
      retryOnce(() => {
        always += 1;
        return Promise.reject(marked("still reset", { retryable: true }));
      }),
    ).rejects.toThrow("still reset");
    expect(always).toBe(2);
  });

  it("never retries an error marked overloaded, even when it is also marked retryable", async () => {
    let calls = 0;
    await expect(
      retryOnce(() => {
        calls += 1;
        return Promise.reject(marked("Durable Object is overloaded. Please retry", { retryable: true, overloaded: true }));
      }),
    ).rejects.toThrow(/overloaded/);
    expect(calls).toBe(1);
  });

  it("does not retry an ordinary error", async () => {
    let calls = 0;
    await expect(
      retryOnce(() => {
        calls += 1;
        return Promise.reject(new Error("bad input"));
      }),
    ).rejects.toThrow("bad input");
    expect(calls).toBe(1);
  });
});
