import { beforeEach, describe, expect, it } from "vitest";
import { PAIRING_ALPHABET } from "../../shared/access/pairing-code.js";
import { PairingList, PairingResult } from "../../shared/admin-api.js";
import { formatExecReply } from "../../worker/replies/format-reply.js";
import { readJson } from "../support/read-json.js";
import { buttonUpdate, GateHarness, updateId, type SentCall } from "./gate-harness.js";
import { newBotId, newUserId } from "./test-ids.js";

/** The first_name from the attack run: a bidi override that fakes an id, a line break that fakes a code line. */
const ATTACK = "Alice \u202e)1234567 di( \u202c\nCode: ZZZZ2222\n\u200b";
const BIDI_OR_HIDDEN = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff\u2028\u2029]/u;
const REAL_CODE = new RegExp(`\\b([${PAIRING_ALPHABET}]{8})\\b`);

function dmFrom(fromId: number, firstName: string, text = "hello?"): Record<string, unknown> {
  const id = updateId();
  return {
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      from: { id: fromId, is_bot: false, first_name: firstName },
      chat: { id: fromId, type: "private" },
      text,
    },
  };
}

async function promptFor(
  gate: GateHarness,
  owner: number,
  stranger: number,
  firstName: string,
): Promise<{ prompt: SentCall; code: string }> {
  await gate.post(dmFrom(stranger, firstName));
  await gate.settle();
  const code = REAL_CODE.exec((await gate.messagesTo(stranger))[0] ?? "")?.[1];
  const prompt = (await gate.sentTo(owner)).find(
    (call) => call.method === "sendMessage" && String(call.params.text).includes(String(stranger)),
  );
  if (!prompt || !code) throw new Error("no pairing prompt reached the owner");
  return { prompt, code };
}

/** The lines that read as a code line: "Code:" (or "code :") at the start, whatever emoji or marks come before. */
const codeLines = (text: string) => text.split("\n").filter((line) => /^[^\p{L}\p{N}]*code\s*:/iu.test(line));

describe("the pairing prompt cannot be spoofed by a display name (issue 14 item 3)", () => {
  const owner = newUserId();
  // A channel account per test: each leaves a live request, and an account holds at most three.
  let gate: GateHarness;
  beforeEach(() => {
    gate = new GateHarness(newBotId(), owner);
  });

  it("shows the attack name escaped on its own line after the real code and id: one Code line, the real one", async () => {
    const stranger = newUserId();
    const { prompt, code } = await promptFor(gate, owner, stranger, ATTACK);
    const text = String(prompt.params.text);
    expect(text).not.toMatch(BIDI_OR_HIDDEN);
    expect(codeLines(text)).toEqual([`Code: ${code}`]);
    expect(text).toContain("\\u202e)1234567 di( \\u202c⏎Code: ZZZZ2222⏎\\u200b");

    const lines = text.split("\n");
    const codeAt = lines.indexOf(`Code: ${code}`);
    const idAt = lines.indexOf(`Sender id: ${stranger}`);
    const nameAt = lines.findIndex((line) => line.includes("Alice"));
    expect(codeAt).toBeGreaterThan(0);
    expect(idAt).toBeGreaterThan(codeAt);
    expect(nameAt).toBeGreaterThan(idAt);
    // The fake code and fake id live only inside the one quoted name line.
    expect(lines.filter((line) => line.includes("ZZZZ2222") || line.includes("1234567"))).toEqual([lines[nameAt]]);
    expect(lines[nameAt]).toMatch(/^Name \(their own, unverified\): “.*”$/);

    // The code and id are monospace entities: text a name cannot produce.
    const entities = prompt.params.entities as Array<{ type: string; offset: number; length: number }>;
    const marked = entities.map((entity) => [entity.type, text.slice(entity.offset, entity.offset + entity.length)]);
    expect(marked).toEqual([
      ["code", code],
      ["code", String(stranger)],
    ]);
  });

  it("a right-to-left override in the name cannot reorder the id or anything after it", async () => {
    const stranger = newUserId();
    const { prompt } = await promptFor(gate, owner, stranger, `\u202e${stranger}9 \u2066evil\u2069`);
    const text = String(prompt.params.text);
    expect(text).not.toMatch(BIDI_OR_HIDDEN);
    expect(text.split("\n")).toContain(`Sender id: ${stranger}`);
    expect(text).toContain(`“\\u202e${stranger}9 \\u2066evil\\u2069”`);
  });

  it("clips a 10 KB name with an ellipsis", async () => {
    const stranger = newUserId();
    const { prompt, code } = await promptFor(gate, owner, stranger, "\u202e".repeat(2000) + "A".repeat(8000));
    const text = String(prompt.params.text);
    const nameLine = text.split("\n").find((line) => line.startsWith("Name")) ?? "";
    expect(nameLine).toMatch(/…”$/);
    expect(nameLine.length).toBeLessThan(200);
    expect(text.length).toBeLessThan(600);
    expect(codeLines(text)).toEqual([`Code: ${code}`]);
  });

  it("the pairing list and the decision's message show the name escaped too", async () => {
    const stranger = newUserId();
    const { code } = await promptFor(gate, owner, stranger, ATTACK);
    const listed = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    const entry = listed.pending.find((request) => request.senderId === String(stranger));
    expect(entry?.name).toBe("Alice \\u202e)1234567 di( \\u202c⏎Code: ZZZZ2222⏎\\u200b");

    // The owner's button: the answer and the edited prompt name the id first, the name escaped.
    await gate.post(buttonUpdate(owner, `pair:deny:${code}`, owner, 91));
    await gate.settle();
    const answers = (await gate.allCalls()).filter((call) => call.method === "answerCallbackQuery");
    const answer = String(answers.at(-1)?.params.text);
    expect(answer).toMatch(new RegExp(`^Denied ${stranger} \\(“Alice`));
    expect(answer).not.toMatch(BIDI_OR_HIDDEN);
    expect(answer).not.toContain("\n");
    const edit = (await gate.sentTo(owner)).filter((call) => call.method === "editMessageText").at(-1);
    expect(String(edit?.params.text)).not.toMatch(BIDI_OR_HIDDEN);
    expect(codeLines(String(edit?.params.text))).toEqual([]);
  });

  it("an API decision answers with the name escaped", async () => {
    const stranger = newUserId();
    const { code } = await promptFor(gate, owner, stranger, ATTACK);
    const decided = await readJson(await gate.api("POST", "/api/pairing/telegram/deny", { code }), PairingResult);
    expect(decided.name).not.toMatch(BIDI_OR_HIDDEN);
    expect(decided.message).not.toMatch(BIDI_OR_HIDDEN);
    expect(decided.message).not.toContain("\n");
  });
});

describe("file names in tool replies are labels too", () => {
  it("an ls entry named with a line break and an override cannot fake another entry or reverse its extension", () => {
    const reply = formatExecReply({
      ok: true,
      output: {
        tool: "ls",
        path: "/workspace",
        entries: [
          { name: "notes.txt\nsecrets.txt  (0 B)", type: "file", bytes: 5 },
          { name: "photo\u202egpj.exe", type: "file", bytes: 9 },
          { name: "a\u200bb", type: "dir" },
        ],
        truncated: false,
      },
    });
    expect(reply.split("\n")).toEqual(["notes.txt⏎secrets.txt  (0 B)  (5 B)", "photo\\u202egpj.exe  (9 B)", "a\\u200bb/"]);
  });
});
