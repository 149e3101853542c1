import { textUpdate, type TestStack } from "./test-stack.js";

/**
 * Sends a DM to the bot as `fromId` and returns the next reply in that chat. The Gatekeeper
 * handles one sender's updates in order and each command here answers once, so "the next
 * sendMessage to this chat after posting" is this command's answer.
 */
export async function say(stack: TestStack, fromId: number, text: string): Promise<string> {
  const before = stack.botApi.calls.length;
  const response = await stack.postUpdate(textUpdate(fromId, text));
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  const reply = await stack.botApi.waitFor(
    (call) => call.method === "sendMessage" && call.params.chat_id === String(fromId) && stack.botApi.calls.indexOf(call) >= before,
    60_000,
  );
  return String(reply.params.text);
}

/** The owner's console channel (POST /api/messages): same pipeline, reply in the response. */
export async function consoleSay(stack: TestStack, text: string): Promise<string> {
  const response = await stack.api("POST", "/api/messages", { text });
  if (response.status !== 200) throw new Error(`console answered ${response.status}: ${JSON.stringify(response.body)}`);
  return String((response.body as { reply: unknown }).reply);
}
