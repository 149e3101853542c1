import { describe, expect, it } from "vitest";
import { PAIRING_ALPHABET } from "../../shared/access/pairing-code.js";
import { buttonUpdate, GateHarness } from "./gate-harness.js";
import { AllowList, AuditList, PairingList } from "../../shared/admin-api.js";
import { readError, readJson } from "../support/read-json.js";
import { PairingResult } from "../../shared/admin-api.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const CODE = new RegExp(`\\b([${PAIRING_ALPHABET}]{8})\\b`);

function codeIn(text: string | undefined): string {
  const match = CODE.exec(text ?? "");
  if (!match?.[1]) throw new Error(`no pairing code in ${JSON.stringify(text)}`);
  return match[1];
}

describe("pairing end to end (acceptance 1)", () => {
  const gate = new GateHarness(newBotId(), OWNER);
  const stranger = newUserId();

  it("gives a stranger one code, tells the owner with three buttons, and serves them after Approve", async () => {
    expect((await gate.dm(stranger, "hello?")).status).toBe(200);
    const toStranger = await gate.messagesTo(stranger);
    expect(toStranger).toHaveLength(1);
    const code = codeIn(toStranger[0]);
    expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);

    const [prompt] = (await gate.sentTo(OWNER)).filter((call) => call.method === "sendMessage");
    expect(String(prompt?.params.text)).toContain(code);
    expect(String(prompt?.params.text)).toContain(String(stranger));
    const keyboard = (
      prompt?.params.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard.flat();
    expect(keyboard.map((button) => button.text)).toEqual(["✅ Approve", "❌ Deny", "🚫 Block"]);
    expect(keyboard.map((button) => button.callback_data)).toEqual([`pair:approve:${code}`, `pair:deny:${code}`, `pair:block:${code}`]);

    // A second DM before approval sends nothing new, to anyone.
    const before = (await gate.allCalls()).length;
    await gate.dm(stranger, "hello again");
    expect((await gate.allCalls()).length).toBe(before);

    // The owner taps Approve.
    await gate.post(buttonUpdate(OWNER, `pair:approve:${code}`, OWNER, 77));
    await gate.settle();
    const answers = (await gate.allCalls()).filter((call) => call.method === "answerCallbackQuery");
    expect(answers.at(-1)?.params.text).toMatch(/Approved .* as limited/);
    const edit = (await gate.sentTo(OWNER)).find((call) => call.method === "editMessageText");
    expect(edit?.params.message_id).toBe(77);
    expect(await gate.messagesTo(stranger)).toEqual([toStranger[0], expect.stringMatching(/approved/i)]);

    // The stranger's next message is served (limited: help, no runner tools).
    await gate.dm(stranger, "/help");
    expect((await gate.messagesTo(stranger)).at(-1)).toMatch(/^Drawbridge commands:/);
    await gate.dm(stranger, "/run echo hi");
    expect((await gate.messagesTo(stranger)).at(-1)).toMatch(/^⛔ exec is not part of the "messaging" tool profile.*Nothing ran\.$/);
  });
});

describe("the pending cap (acceptance 2)", () => {
  const gate = new GateHarness(newBotId(), OWNER);
  const strangers = [newUserId(), newUserId(), newUserId(), newUserId()];

  it("gives three strangers a code each, the fourth nothing and no state; an approval frees a slot", async () => {
    for (const id of strangers) await gate.dm(id, "hi");
    const codes = await Promise.all(strangers.slice(0, 3).map(async (id) => codeIn((await gate.messagesTo(id))[0])));
    expect(new Set(codes).size).toBe(3);
    expect(await gate.sentTo(strangers[3]!)).toEqual([]);
    const listed = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    expect(listed.pending.map((request) => request.senderId)).toEqual(strangers.slice(0, 3).map(String));

    const approved = await gate.api("POST", "/api/pairing/telegram/approve", { code: codes[0] });
    expect(approved.status).toBe(200);
    await gate.dm(strangers[3]!, "hi again");
    expect(codeIn((await gate.messagesTo(strangers[3]!))[0])).not.toBe(codes[0]);
  });
});

describe("refused approvals (acceptance 3)", () => {
  const gate = new GateHarness(newBotId(), OWNER);
  const approve = (code: string) => gate.api("POST", "/api/pairing/telegram/approve", { code });
  const errorOf = readError;
  const [first, second, knocker] = [newUserId(), newUserId(), newUserId()];

  it("refuses a wrong code and a malformed one with a clear error", async () => {
    await gate.dm(first, "hi");
    const wrong = await approve("ZZZZZZZZ");
    expect(wrong.status).toBe(404);
    expect((await errorOf(wrong)).message).toMatch(/No pairing request has that code/);
    const malformed = await approve("ABC10OI!");
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).message).toMatch(/not a pairing code/);
    expect((await gate.messagesTo(first)).filter((text) => /approved/i.test(text))).toEqual([]);
  });

  it("refuses a lower-cased code (API and the owner's button) with a clear error, changing nothing", async () => {
    const code = codeIn((await gate.messagesTo(first))[0]);
    // (A code of digits only — odds 1 in 65,536 — has no lower case; the assertions below would then fail loudly.)
    const lower = code.toLowerCase();
    for (const path of ["approve", "deny"]) {
      const refused = await gate.api("POST", `/api/pairing/telegram/${path}`, { code: lower });
      expect(refused.status).toBe(400);
      expect((await errorOf(refused)).message).toBe(
        "Pairing codes are upper-case letters and digits (like ABCD2345); type it exactly as shown — nothing was approved or denied.",
      );
    }
    await gate.post(buttonUpdate(OWNER, `pair:approve:${lower}`, OWNER, 78));
    await gate.settle();
    const answer = (await gate.allCalls()).filter((call) => call.method === "answerCallbackQuery").at(-1);
    expect(answer?.params).toMatchObject({ text: expect.stringMatching(/upper-case .* nothing was approved/), show_alert: true });
    // Still pending, nobody allowed, the stranger told nothing, the prompt not edited.
    const pending = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    expect(pending.pending.map((request) => request.code)).toEqual([code]);
    expect((await readJson(await gate.api("GET", "/api/allow/telegram"), AllowList)).allowed).toEqual([]);
    expect(await gate.messagesTo(first)).toHaveLength(1);
    expect((await gate.sentTo(OWNER)).filter((call) => call.method === "editMessageText" && call.params.message_id === 78)).toEqual([]);
  });

  it("approves the exact code once; then the code is used", async () => {
    const code = codeIn((await gate.messagesTo(first))[0]);
    const exact = await approve(code);
    expect(exact.status).toBe(200);
    expect(await readJson(exact, PairingResult)).toMatchObject({ ok: true, senderId: String(first), role: "limited" });
    const again = await approve(code);
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toMatch(/already used/);
    const denyUsed = await gate.api("POST", "/api/pairing/telegram/deny", { code });
    expect(denyUsed.status).toBe(409);
  });

  it("refuses a code once the clock is past 60 minutes, and the sender may ask again", async () => {
    await gate.dm(second, "hi");
    const code = codeIn((await gate.messagesTo(second))[0]);
    await gate.advance(60 * 60 * 1000 + 1);
    const expired = await approve(code);
    expect(expired.status).toBe(410);
    expect((await errorOf(expired)).message).toMatch(/expired/);
    expect(await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList)).toEqual({ pending: [] });
    await gate.dm(second, "hi again");
    expect(codeIn((await gate.messagesTo(second)).at(-1))).not.toBe(code);
  });

  it("ignores a non-owner's Approve tap: answered 'not allowed', audited, nothing changes", async () => {
    const intruder = newUserId();
    await gate.dm(knocker, "let me in");
    const code = codeIn((await gate.messagesTo(knocker))[0]);
    await gate.post(buttonUpdate(intruder, `pair:approve:${code}`, intruder));
    await gate.settle();
    const answer = (await gate.allCalls()).filter((call) => call.method === "answerCallbackQuery").at(-1);
    expect(answer?.params).toMatchObject({ text: "not allowed", show_alert: true });
    const pending = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    expect(pending.pending.map((request) => request.code)).toContain(code);
    expect(await gate.messagesTo(knocker)).toHaveLength(1);
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=50"), AuditList);
    expect(audit.events).toContainEqual(expect.objectContaining({ kind: "pairing.callback_refused", actor: `telegram:${intruder}` }));
  });

  it("Deny and Block from the owner's buttons: a blocked sender gets nothing back", async () => {
    const pending = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    const request = pending.pending.find((entry) => entry.senderId === String(knocker));
    await gate.post(buttonUpdate(OWNER, `pair:block:${request!.code}`, OWNER));
    await gate.settle();
    const before = (await gate.allCalls()).length;
    await gate.dm(knocker, "/help");
    await gate.dm(knocker, "hello?");
    expect((await gate.allCalls()).length).toBe(before);
    const allowed = await readJson(await gate.api("GET", "/api/allow/telegram"), AllowList);
    expect(allowed.allowed).toContainEqual(expect.objectContaining({ senderId: String(knocker), role: "blocked" }));
  });
});
