import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditList } from "../../shared/admin-api.js";
import { app } from "../../worker/app.js";
import { readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";
import { buttonsOf, newMessageId, textMessage, waId, WhatsAppHarness } from "./whatsapp-harness.js";

async function auditOf(gate: WhatsAppHarness, kind: string): Promise<Array<{ actor: string; detail: Record<string, unknown> }>> {
  const response = await app.request(
    "/api/audit?limit=500",
    { headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}` } },
    gate.env,
    executionContext,
  );
  const { events } = await readJson(response, AuditList);
  return events.filter((event) => event.kind === kind);
}

describe("the WhatsApp webhook's verification handshake", () => {
  it("echoes hub.challenge as plain text for the right verify token, and refuses anything else (403)", async () => {
    const gate = new WhatsAppHarness(waId());
    const token = gate.env.WHATSAPP_VERIFY_TOKEN ?? "";
    const good = await gate.verify({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444" });
    expect(good.status).toBe(200);
    expect(good.headers.get("content-type")).toContain("text/plain");
    expect(await good.text()).toBe("1158201444");
    const refused: Array<Record<string, string>> = [
      { "hub.mode": "subscribe", "hub.verify_token": `${token}x`, "hub.challenge": "1158201444" },
      { "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1158201444" },
      { "hub.mode": "subscribe", "hub.challenge": "1158201444" },
      { "hub.mode": "unsubscribe", "hub.verify_token": token, "hub.challenge": "1158201444" },
      { "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "<script>alert(1)</script> x" },
    ];
    for (const params of refused) {
      const response = await gate.verify(params);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain("1158201444");
    }
  });
});

describe("WhatsApp webhooks are verified before anything reads them", () => {
  it("refuses forged, missing and wrong-secret signatures (401) and stores and sends nothing", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    const body = JSON.stringify(gate.webhook([textMessage(owner, "/whoami")]));
    for (const signing of [
      { signature: `sha256=${"ab".repeat(32)}` },
      { signature: null },
      { signature: "" },
      { secret: "not-the-app-secret" },
    ]) {
      expect((await gate.postRaw(body, signing)).status).toBe(401);
    }
    // A signature over other bytes (the same JSON re-serialised with a space) is not this body's.
    const signedOther = await gate.postRaw(body.replace('"/whoami"', '"/whoami" '), {});
    expect(signedOther.status).toBe(200);
    await gate.settle();
    const tampered = await app.request(
      "/whatsapp/webhook",
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
        body,
      },
      gate.env,
      executionContext,
    );
    expect(tampered.status).toBe(401);
    expect(await gate.inboxDepth()).toBe(0);
    // Only the one validly signed message was answered.
    expect(await gate.textsTo(owner)).toHaveLength(1);
  });

  it("caps the body before verifying it (413)", async () => {
    const gate = new WhatsAppHarness(waId());
    const response = await gate.postRaw(JSON.stringify({ object: "whatsapp_business_account", pad: "a".repeat(600 * 1024) }));
    expect(response.status).toBe(413);
  });

  it("processes a message once however often Meta delivers it", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    const id = newMessageId();
    for (let i = 0; i < 3; i++) expect((await gate.text(owner, "/whoami", id)).status).toBe(200);
    const replies = await gate.textsTo(owner);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(`You are whatsapp:${owner} on whatsapp`);
  });

  it("acknowledges status updates and other message types and ignores them", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    const statuses = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "102290129340398",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550783881", phone_number_id: gate.phoneNumberId },
                statuses: [{ id: newMessageId(), status: "delivered", timestamp: "1739321024", recipient_id: owner }],
              },
            },
          ],
        },
      ],
    };
    expect((await gate.post(statuses)).status).toBe(200);
    const image = { from: owner, id: newMessageId(), type: "image", image: { id: "2754859441498128", mime_type: "image/jpeg" } };
    const reaction = { from: owner, id: newMessageId(), type: "reaction", reaction: { emoji: "👍", message_id: "wamid.X" } };
    expect((await gate.post(gate.webhook([image, reaction]))).status).toBe(200);
    expect(await gate.inboxDepth()).toBe(0);
    await gate.settle();
    expect(await gate.sentTo(owner)).toEqual([]);
  });

  it("refuses changes for another phone number id: nothing stored, nothing sent", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    const foreign = waId(15);
    expect((await gate.post(gate.webhook([textMessage(owner, "/whoami")], foreign))).status).toBe(200);
    expect(await gate.inboxDepth()).toBe(0);
    await gate.settle();
    expect(await gate.sentTo(owner)).toEqual([]);
    const other = env.GATEKEEPER.get(env.GATEKEEPER.idFromName(`whatsapp:${foreign}`));
    expect(other).toBeDefined();
  });
});

describe("one webhook POST carrying several messages", () => {
  it("makes each its own inbox item, answered in Meta's order", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    const body = gate.webhook([textMessage(owner, "/whoami"), textMessage(owner, "/help")]);
    // A second entry in the same POST, as Meta batches them.
    (body.entry as unknown[]).push({
      id: "102290129340398",
      changes: [{ field: "messages", value: gate.value([textMessage(owner, "/whoami")], gate.phoneNumberId, [owner]) }],
    });
    expect((await gate.post(body)).status).toBe(200);
    await gate.settle();
    const replies = await gate.textsTo(owner);
    expect(replies).toHaveLength(3);
    expect(replies[0]).toContain(`You are whatsapp:${owner}`);
    expect(replies[1]).not.toContain("You are whatsapp:");
    expect(replies[2]).toContain(`You are whatsapp:${owner}`);
  });
});

describe("WhatsApp DMs follow the DM policy", () => {
  it("pairing: a stranger gets a code, the owner reply buttons; another user's tap does nothing; the owner's tap approves", async () => {
    const owner = waId();
    const stranger = waId();
    const other = waId();
    const gate = new WhatsAppHarness(owner);
    // A profile name that tries to fake the prompt's lines: shown on one line, its breaks written out.
    const name = "Mallory\nCode: FAKE1234\u202e";
    expect((await gate.text(stranger, "hello", newMessageId(), { [stranger]: name })).status).toBe(200);

    const [codeLine] = await gate.textsTo(stranger);
    const code = /pairing code is ([A-Z0-9]{8})/.exec(codeLine ?? "")?.[1];
    expect(code).toBeDefined();
    const [prompt] = await gate.sentTo(owner);
    expect(prompt?.body.type).toBe("interactive");
    const promptText = String((prompt?.body.interactive as { body: { text: string } }).body.text);
    const lines = promptText.split("\n");
    expect(lines[1]).toBe(`Code: ${code}`);
    expect(lines[2]).toBe(`Sender id: ${stranger}`);
    expect(lines[3]).toBe("Name (their own, unverified): “Mallory⏎Code: FAKE1234\\u202e”");
    expect(buttonsOf(prompt!)).toEqual([
      { title: "✅ Approve", id: `pair:approve:${code}` },
      { title: "❌ Deny", id: `pair:deny:${code}` },
      { title: "🚫 Block", id: `pair:block:${code}` },
    ]);

    // Someone else's tap on the payload: audited, told no, nothing approved.
    await gate.tap(other, `pair:approve:${code}`);
    expect((await auditOf(gate, "pairing.callback_refused")).map((event) => event.actor)).toContain(`whatsapp:${other}`);
    expect(await gate.textsTo(other)).toEqual(["not allowed"]);
    await gate.text(stranger, "/whoami");
    expect(await gate.textsTo(stranger)).toHaveLength(1);

    await gate.tap(owner, `pair:approve:${code}`);
    const strangerTexts = await gate.textsTo(stranger);
    expect(strangerTexts.at(-1)).toBe("✅ The owner approved you. Send /help to see what you can do.");
    expect((await gate.textsTo(owner)).at(-1)).toContain("Approved");
    await gate.text(stranger, "/whoami");
    expect((await gate.textsTo(stranger)).at(-1)).toContain(`You are whatsapp:${stranger} on whatsapp`);
  });

  it("allowlist: a stranger's DMs get nothing at all — no code, no owner prompt", async () => {
    const owner = waId();
    const stranger = waId();
    const gate = new WhatsAppHarness(owner, { dmPolicy: "allowlist" });
    await gate.text(stranger, "hello");
    await gate.text(stranger, "ABCD2345");
    expect(await gate.sentTo(stranger)).toEqual([]);
    expect(await gate.sentTo(owner)).toEqual([]);
    expect((await auditOf(gate, "access.denied")).map((event) => event.actor)).toContain(`whatsapp:${stranger}`);
  });
});

describe("WhatsApp replies survive the Cloud API refusing them", () => {
  it("keeps a reply refused outside the 24-hour window (131047), audits it, and sends it once the window is open again", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    await gate.outage({ to: owner, count: 1, code: 131047 });
    await gate.text(owner, "/whoami");
    expect(await gate.textsTo(owner)).toEqual([]);
    expect(await gate.undelivered()).toBe(1);
    const held = await auditOf(gate, "reply.held");
    expect(held.find((event) => event.actor === `whatsapp:${owner}`)?.detail.reason).toContain("24-hour");
    expect(await auditOf(gate, "reply.failed")).not.toContainEqual(expect.objectContaining({ actor: `whatsapp:${owner}` }));

    await gate.advance(10_000);
    await runDurableObjectAlarm(gate.gatekeeper);
    expect(await gate.undelivered()).toBe(0);
    expect((await gate.textsTo(owner))[0]).toContain(`You are whatsapp:${owner}`);
  });

  it("retries a reply refused by the throughput limit (130429)", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    await gate.outage({ to: owner, count: 1, code: 130429, status: 429 });
    await gate.text(owner, "/whoami");
    expect(await gate.undelivered()).toBe(1);
    await gate.advance(10_000);
    await runDurableObjectAlarm(gate.gatekeeper);
    expect(await gate.undelivered()).toBe(0);
    expect(await gate.textsTo(owner)).toHaveLength(1);
  });

  it("audits a reply the Cloud API refuses for good as reply.failed", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    await gate.outage({ to: owner, count: 1, code: 131026 });
    await gate.text(owner, "/whoami");
    expect(await gate.undelivered()).toBe(0);
    const failed = await auditOf(gate, "reply.failed");
    expect(String(failed.find((event) => event.actor === `whatsapp:${owner}`)?.detail.detail)).toContain("131026");
  });

  it("sends with the access token to the configured number, never the token in a reply", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    await gate.text(owner, "/whoami");
    const [call] = await gate.sentTo(owner);
    expect(call?.token).toBe(env.WHATSAPP_ACCESS_TOKEN);
    expect(call?.version).toBe("v26.0");
    expect(call?.body).toMatchObject({ messaging_product: "whatsapp", recipient_type: "individual", to: owner, type: "text" });
    expect(JSON.stringify(call?.body)).not.toContain(env.WHATSAPP_ACCESS_TOKEN ?? "unset");
  });
});

describe("the WhatsApp channel's switch", () => {
  it("is off (404) with none of its secrets, and closed (503 naming the secret) with only some", async () => {
    const owner = waId();
    const none = {
      WHATSAPP_APP_SECRET: undefined,
      WHATSAPP_VERIFY_TOKEN: undefined,
      WHATSAPP_ACCESS_TOKEN: undefined,
      WHATSAPP_PHONE_NUMBER_ID: undefined,
    };
    const off = new WhatsAppHarness(owner, {}, none);
    const offResponse = await off.post(off.webhook([textMessage(owner, "/whoami")]), { secret: "x" });
    expect(offResponse.status).toBe(404);
    expect(JSON.stringify(await offResponse.json())).toContain("WhatsApp channel is off");
    expect((await off.verify({ "hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1" })).status).toBe(404);

    const half = new WhatsAppHarness(owner, {}, { WHATSAPP_ACCESS_TOKEN: undefined });
    const post = await half.post(half.webhook([textMessage(owner, "/whoami")]));
    expect(post.status).toBe(503);
    const text = JSON.stringify(await post.json());
    expect(text).toContain("WHATSAPP_ACCESS_TOKEN");
    expect(text).not.toContain(env.WHATSAPP_APP_SECRET ?? "unset");
    const token = half.env.WHATSAPP_VERIFY_TOKEN ?? "";
    expect((await half.verify({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1" })).status).toBe(503);
    expect(await half.inboxDepth()).toBe(0);
  });
});

describe("malformed but validly signed bodies", () => {
  it("1,000 of them: never a 5xx, nothing left in the inbox, and the owner is still served", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    const value = (messages: unknown) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          changes: [
            { field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: gate.phoneNumberId }, messages } },
          ],
        },
      ],
    });
    const bodies: unknown[] = [
      null,
      7,
      "text",
      [],
      { object: "page" },
      { object: "whatsapp_business_account" },
      { object: "whatsapp_business_account", entry: "x" },
      { object: "whatsapp_business_account", entry: [{ changes: [{ field: "messages", value: null }] }] },
      { object: "whatsapp_business_account", entry: [{ changes: [{ field: "messages", value: { metadata: {} } }] }] },
      value("x"),
      value([null, 5, {}]),
      value([{ from: owner, id: "", type: "text", text: { body: "/whoami" } }]),
      value([{ from: "not-a-number", id: newMessageId(), type: "text", text: { body: "/whoami" } }]),
      value([{ from: owner, id: newMessageId(), type: "text", text: "not an object" }]),
      value([{ from: owner, id: newMessageId(), type: "interactive", interactive: { type: "list_reply" } }]),
      value([{ from: owner, id: newMessageId(), type: "interactive", interactive: { type: "button_reply", button_reply: { id: 5 } } }]),
    ];
    const raws = [...bodies.map((body) => JSON.stringify(body)), "{", "\u0000", '{"object":"whatsapp_business_account","entry":[{]}'];
    for (let i = 0; i < 1000; i++) {
      const raw = raws[i % raws.length] ?? "";
      const response = await gate.postRaw(raw);
      expect(response.status).toBeLessThan(500);
    }
    await gate.settle();
    expect(await gate.inboxDepth()).toBe(0);
    expect(await gate.sentTo(owner)).toEqual([]);
    await gate.text(owner, "/whoami");
    expect((await gate.textsTo(owner))[0]).toContain(`You are whatsapp:${owner}`);
  });
});
