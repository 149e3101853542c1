import { describe, expect, it } from "vitest";
import { PAIRING_ALPHABET } from "../../shared/access/pairing-code.js";
import { buttonUpdate, GateHarness } from "./gate-harness.js";

const OWNER = 500_000_001;
const CODE = new RegExp(`\\b([${PAIRING_ALPHABET}]{8})\\b`);

function codeIn(text: string | undefined): string {
  const match = CODE.exec(text ?? "");
  if (!match?.[1]) throw new Error(`no pairing code in ${JSON.stringify(text)}`);
  return match[1];
}

describe("pairing end to end (acceptance 1)", () => {
  const gate = new GateHarness(700_001, OWNER);
  const stranger = 600_000_001;

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
    expect((await gate.messagesTo(stranger)).at(-1)).toContain("/run <command>");
    await gate.dm(stranger, "/run echo hi");
    expect((await gate.messagesTo(stranger)).at(-1)).toMatch(/role does not include runner tools/);
  });
});
