import { describe, expect, it } from "vitest";
import { PAIRING_ALPHABET } from "../../shared/access/pairing-code.js";
import { dmUpdate, GateHarness } from "./gate-harness.js";
import { AllowList, AuditList, PairingList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const CODE = new RegExp(`\\b([${PAIRING_ALPHABET}]{8})\\b`);
/** The default pairing bucket (1 a minute, bursts of 2) refills one token in 60 s. */
const REFILL_MS = 61_000;

function codeIn(text: string | undefined): string {
  const match = CODE.exec(text ?? "");
  if (!match?.[1]) throw new Error(`no pairing code in ${JSON.stringify(text)}`);
  return match[1];
}

/** A well-formed code that is not `code`: the letter at `at` changed. */
function wrongFor(code: string, at = 0): string {
  return `${code.slice(0, at)}${code[at] === "A" ? "B" : "A"}${code.slice(at + 1)}`;
}

async function challengePrompt(gate: GateHarness, stranger: number) {
  const prompts = (await gate.sentTo(OWNER)).filter(
    (call) => call.method === "sendMessage" && String(call.params.text).includes(String(stranger)),
  );
  expect(prompts).toHaveLength(1);
  const prompt = prompts[0]!;
  const keyboard = (
    prompt.params.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
  ).inline_keyboard.flat();
  return { text: String(prompt.params.text), code: codeIn(String(prompt.params.text)), keyboard };
}

describe("pairing.mode challenge: the stranger types the code the owner gives them", () => {
  const gate = new GateHarness(newBotId(), OWNER, { pairing: { mode: "challenge" } });

  it("tells the stranger to ask the owner, gives the owner the code (Deny / Block, no Approve), and pairs on the exact code", async () => {
    const stranger = newUserId();
    await gate.dm(stranger, "hello?");
    const greeting = await gate.messagesTo(stranger);
    expect(greeting).toEqual([expect.stringMatching(/private\. If you know its owner, ask them for your pairing code/)]);
    expect(CODE.test(greeting[0]!)).toBe(false);

    const prompt = await challengePrompt(gate, stranger);
    expect(prompt.text).toMatch(/Pairing challenge/);
    expect(prompt.keyboard.map((button) => button.text)).toEqual(["❌ Deny", "🚫 Block"]);
    expect(prompt.keyboard.map((button) => button.callback_data)).toEqual([`pair:deny:${prompt.code}`, `pair:block:${prompt.code}`]);

    // Chatter is not an attempt and re-sends nothing, to anyone.
    const before = (await gate.allCalls()).length;
    await gate.dm(stranger, "so, what now?");
    expect((await gate.allCalls()).length).toBe(before);

    await gate.dm(stranger, wrongFor(prompt.code));
    expect((await gate.messagesTo(stranger)).at(-1)).toBe("❌ That is not your pairing code. 2 attempts left.");

    // The pairing bucket (1 a minute, bursts of 2) is empty now: the next attempt — even the right
    // code — is refused with one notice and neither counted nor paired; later ones are silent.
    await gate.dm(stranger, prompt.code);
    expect((await gate.messagesTo(stranger)).at(-1)).toMatch(/Too many pairing attempts/);
    const beforeSilent = (await gate.allCalls()).length;
    await gate.dm(stranger, prompt.code);
    expect((await gate.allCalls()).length).toBe(beforeSilent);

    await gate.advance(REFILL_MS);
    await gate.dm(stranger, prompt.code);
    expect((await gate.messagesTo(stranger)).at(-1)).toMatch(/That is the code — you are paired/);
    expect((await gate.messagesTo(OWNER)).at(-1)).toBe(
      `✅ ${stranger} (“User${stranger}”) typed the pairing code and is paired as limited.`,
    );

    // Served from the next message on, with the default role.
    await gate.dm(stranger, "/help");
    expect((await gate.messagesTo(stranger)).at(-1)).toMatch(/^Drawbridge commands/);
    const allowed = await readJson(await gate.api("GET", "/api/allow/telegram"), AllowList);
    expect(allowed.allowed).toContainEqual(expect.objectContaining({ senderId: String(stranger), role: "limited" }));

    const audit = await readJson(await gate.api("GET", "/api/audit?limit=100"), AuditList);
    const mine = audit.events.filter((event) => event.actor === `telegram:${stranger}`).map((event) => event.kind);
    expect(mine).toEqual(expect.arrayContaining(["pairing.requested", "pairing.challenge_failed", "rate.limited", "pairing.approved"]));
    expect(audit.events.find((event) => event.kind === "pairing.approved")?.detail).toMatchObject({ via: "challenge", role: "limited" });
  });

  it("counts a lower-cased code as wrong; at the cap the stranger is blocked, the request removed, the owner told, and nothing more is sent", async () => {
    const stranger = newUserId();
    await gate.dm(stranger, "hi");
    const { code } = await challengePrompt(gate, stranger);

    await gate.advance(REFILL_MS);
    // A code of digits only (odds 1 in 65,536) has no lower case; the assertion would then fail loudly.
    await gate.dm(stranger, code.toLowerCase());
    expect((await gate.messagesTo(stranger)).at(-1)).toBe(
      "❌ That is not your pairing code. Codes are upper-case letters and digits (like ABCD2345); type it exactly as shown. 2 attempts left.",
    );
    await gate.advance(REFILL_MS);
    await gate.dm(stranger, wrongFor(code));
    expect((await gate.messagesTo(stranger)).at(-1)).toBe("❌ That is not your pairing code. 1 attempt left.");
    const toStrangerBefore = (await gate.sentTo(stranger)).length;
    await gate.advance(REFILL_MS);
    await gate.dm(stranger, wrongFor(code, 7));

    // The blocking attempt itself gets no answer; the owner hears of it.
    expect(await gate.sentTo(stranger)).toHaveLength(toStrangerBefore);
    expect((await gate.messagesTo(OWNER)).at(-1)).toMatch(
      new RegExp(`${stranger} \\(“User${stranger}”\\) typed a wrong pairing code 3 times and is now blocked`),
    );
    const pending = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    expect(pending.pending.map((request) => request.senderId)).not.toContain(String(stranger));
    const allowed = await readJson(await gate.api("GET", "/api/allow/telegram"), AllowList);
    expect(allowed.allowed).toContainEqual(expect.objectContaining({ senderId: String(stranger), role: "blocked" }));

    // From now on: zero Bot API calls, whatever they send — even the right code, after a refill.
    const before = (await gate.allCalls()).length;
    await gate.advance(REFILL_MS);
    await gate.dm(stranger, code);
    await gate.dm(stranger, "/help");
    await gate.dm(stranger, "hello?");
    expect((await gate.allCalls()).length).toBe(before);

    const audit = await readJson(await gate.api("GET", "/api/audit?limit=100"), AuditList);
    const mine = audit.events.filter((event) => event.actor === `telegram:${stranger}`);
    expect(mine.filter((event) => event.kind === "pairing.challenge_failed").map((event) => event.detail.left)).toEqual([0, 1, 2]);
    expect(mine.filter((event) => event.kind === "pairing.challenge_failed").at(-1)?.detail.lowerCase).toBe(true);
    expect(mine.map((event) => event.kind)).toContain("pairing.challenge_blocked");
    expect(mine.map((event) => event.kind)).toContain("access.denied");
  });

  it("never pairs on a code from approve mode (the stranger was sent it) after the owner switches to challenge", async () => {
    const stranger = newUserId();
    const botId = newBotId();
    const approveMode = new GateHarness(botId, OWNER, {});
    await approveMode.dm(stranger, "hi");
    const code = codeIn((await approveMode.messagesTo(stranger))[0]);
    const challengeMode = new GateHarness(botId, OWNER, { pairing: { mode: "challenge" } });
    const before = (await challengeMode.allCalls()).length;
    await challengeMode.dm(stranger, code);
    expect((await challengeMode.allCalls()).length).toBe(before);
    const allowed = await readJson(await challengeMode.api("GET", "/api/allow/telegram"), AllowList);
    expect(allowed.allowed).toEqual([]);
    const pending = await readJson(await challengeMode.api("GET", "/api/pairing/telegram"), PairingList);
    expect(pending.pending.map((request) => request.code)).toEqual([code]);
  });

  it("refuses a challenge config outside its bounds, naming the key", async () => {
    for (const [pairing, key] of [
      [{ mode: "guess" }, "DRAWBRIDGE_ACCESS.pairing.mode"],
      [{ mode: "challenge", maxWrongAttempts: 50 }, "DRAWBRIDGE_ACCESS.pairing.maxWrongAttempts"],
    ] as const) {
      const misconfigured = new GateHarness(newBotId(), OWNER, { pairing });
      const response = await misconfigured.post(dmUpdate(newUserId(), "hi"));
      expect(response.status).toBe(503);
      expect(await response.text()).toContain(key);
    }
  });
});
