import type { SessionKey, ToolRequest } from "../../shared/tools/tool-call.js";
import { signerOrError } from "./hub-keys.js";
import { armAlarm } from "./hub-deadlines.js";
import { readSettings } from "./hub-settings.js";
import { readySocket, type HubHost, type SubmitResult } from "./hub-types.js";
import { rememberRoute } from "./failover-store.js";
import * as outbox from "./outbox.js";
import type { OutboxCall, ReplyTarget } from "./outbox.js";
import { countAllKeys, liveKeys } from "./runner-keys.js";

/** A never-sent call another runner's hub hands over (failover.ts), with its own id, expiry and the rest of its route. */
export type AdoptedCall = {
  id: string;
  session: SessionKey;
  request: ToolRequest;
  timeoutMs: number;
  replyTo: ReplyTarget | null;
  label: string;
  expiresAt: number;
  fallbacks: string[];
  failoverAfterMs: number;
};

export type AdoptInput = {
  /** The runner whose hub the calls leave: every id must name it. */
  from: string;
  calls: AdoptedCall[];
  /** A caller waits for this call's answer (a call submitted just now), up to `waitMs`. */
  waitFor: string | null;
  waitMs: number;
};

/** `held`: in this hub's outbox now (taken, or held already: a retried move); `refused`: for good, they stay where they were. */
export type AdoptAnswer = {
  held: string[];
  refused: { id: string; code: string; message: string }[];
  answer: SubmitResult | null;
};

/**
 * Takes over calls that failed over from another runner. A call id already here is never added
 * again (the outbox's id is unique): a move retried after a crash finds its call held. The
 * calls are written in the order given (their queue order) and sent in one batch.
 */
export async function adoptCalls(host: HubHost, input: AdoptInput): Promise<AdoptAnswer> {
  const { sql, ctx, env, delivery } = host;
  const refuseAll = (code: string, message: string): AdoptAnswer => ({
    held: [],
    refused: input.calls.map((call) => ({ id: call.id, code, message })),
    answer: null,
  });
  if (countAllKeys(sql) === 0) return refuseAll("runner_unknown", "no runner is registered under this name");
  if (liveKeys(sql).length === 0) return refuseAll("runner_revoked", "this runner has no live key (revoked)");
  const signer = await signerOrError(env);
  if (!signer.ok) return refuseAll(signer.code, signer.message);
  const settings = readSettings(sql);
  const counts = outbox.countPending(sql);
  let room = settings.queueLimit - counts.queued - counts.inFlight;
  const held: string[] = [];
  const refused: AdoptAnswer["refused"] = [];
  const added: OutboxCall[] = [];
  const now = Date.now();
  for (const call of input.calls) {
    if (!call.id.startsWith(`${input.from}_`)) {
      refused.push({ id: call.id, code: "bad_request", message: "the call id does not name the runner it moves from" });
    } else if (outbox.findCall(sql, call.id)) {
      held.push(call.id);
    } else if (room <= 0) {
      refused.push({ id: call.id, code: "queue_full", message: `the queue is full (${settings.queueLimit} calls)` });
    } else {
      const { fallbacks, failoverAfterMs, ...fields } = call;
      added.push(outbox.enqueue(sql, { ...fields, label: fields.label.slice(0, 200) }, now));
      rememberRoute(sql, call.id, fallbacks, failoverAfterMs, input.from);
      held.push(call.id);
      room -= 1;
    }
  }
  const waited = input.waitFor !== null && held.includes(input.waitFor) ? input.waitFor : null;
  const socket = readySocket(ctx);
  const answer = waited === null ? null : answerFor(host, waited, input.waitMs, socket !== null);
  if (socket && added.length > 0) {
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- send() ends its chain in a .catch that logs tunnel.send_failed: it never rejects
    void delivery.send(socket, added);
  } else if (added.length > 0) {
    await armAlarm(ctx, sql, Math.min(...added.map((call) => call.expiresAt)));
  }
  return { held, refused, answer: answer === null ? null : await answer };
}

/** The waiting caller's answer, its waiter in place before anything is sent (so no outcome slips past it). */
function answerFor(host: HubHost, id: string, waitMs: number, connected: boolean): Promise<SubmitResult> | null {
  const call = outbox.findCall(host.sql, id);
  if (!call) return null;
  if (call.state === "done" && call.outcome) return Promise.resolve({ status: "done", callId: id, outcome: call.outcome });
  if (!connected) return Promise.resolve({ status: "queued", callId: id, expiresAt: call.expiresAt });
  return host.delivery.waitFor(id, waitMs);
}
