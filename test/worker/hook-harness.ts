import { env, runInDurableObject } from "cloudflare:test";
import { hookSecretName } from "../../shared/hooks/hook-config.js";
import { app } from "../../worker/app.js";
import type { HookInbox } from "../../worker/hooks/hook-inbox.js";
import { assistantGate, turnOver } from "./assistant-harness.js";
import { executionContext } from "./execution-context.js";
import { newStandardSecret } from "./hook-signing.js";
import { newUserId } from "./test-ids.js";

/**
 * A gate with a model at the stand-in and one hook of its own (a fresh name, so its own
 * HookInbox and its own `hook:<name>` session), its secret set as the Worker secret.
 */
export async function hookGate(hook: Record<string, unknown>, secret = newStandardSecret()) {
  const base = await assistantGate();
  const name = `deploys-${newUserId()}`;
  Object.assign(base.gate.env, { DRAWBRIDGE_HOOKS: JSON.stringify({ [name]: hook }), [hookSecretName(name)]: secret });
  const post = (headers: Record<string, string>, body: string, path = `/hooks/${name}`) =>
    app.request(
      path,
      { method: "POST", headers: { "content-type": "application/json", ...headers }, body },
      base.gate.env,
      executionContext,
    );
  const inbox = env.HOOK_INBOX.get(env.HOOK_INBOX.idFromName(name));
  /** Every stored delivery handed on, and the hook's turn (if any) over. */
  const settle = async () => {
    await runInDurableObject(inbox, async (instance: HookInbox) => {
      await instance.drain();
      if (instance.depth() !== 0) throw new Error("the hook inbox did not drain");
    });
    await turnOver(`hook:${name}`);
  };
  return { ...base, name, secret, post, inbox, settle };
}

/** The messages of the OpenAI-format request as sent. */
export function messagesOf(request: { body: unknown } | undefined): { role: string; content: unknown }[] {
  return (request?.body as { messages?: { role: string; content: unknown }[] } | undefined)?.messages ?? [];
}

/** Rows of an Assistant's history (JSON text of each message), by session. */
export async function historyOf(session: string): Promise<string[]> {
  const stub = env.ASSISTANT.get(env.ASSISTANT.idFromName(session));
  return await runInDurableObject(stub, (_instance, state) => {
    const tables = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'history'").one().n;
    if (tables === 0) return [];
    return state.storage.sql
      .exec<{ message: string }>("SELECT message FROM history ORDER BY seq")
      .toArray()
      .map((row) => row.message);
  });
}
