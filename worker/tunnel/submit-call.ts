import { ToolRequest, type SessionKey, type ToolOutcome } from "../../shared/tools/tool-call.js";
import type { ChatTarget, ReplyTarget } from "./outbox.js";
import { retryOnce } from "../objects/retry-once.js";
import { hubStub } from "../objects/stubs.js";
import type { SubmitResult } from "./hub-types.js";

export type { ReplyTarget } from "./outbox.js";

/** How long a chat reply waits for a result before saying "still running" and delivering it later. */
export const INLINE_WAIT_MS = 20_000;

export type CallRequest = {
  runner: string;
  session: SessionKey;
  request: ToolRequest;
  timeoutMs: number;
  /** Where a late result goes (a queued call, a caller that went away). */
  replyTo: ReplyTarget | null;
  /** What the sender asked, e.g. "/run ls", quoted in a late reply. */
  label: string;
  waitMs?: number;
  /** A caller that may submit again after a crash (an allowed approval) picks the id itself, so the call runs once. */
  callId?: string;
  /** The runners after `runner` on the call's route (routeFor): where it fails over to while `runner` is offline. */
  fallbacks?: string[];
  failoverAfterMs?: number;
};

/** The sender-facing answer: a finished outcome, or a notice that the result will follow; `movedTo`: the runner that served instead. */
export type CallAnswer =
  { status: "done"; outcome: ToolOutcome; movedTo?: string } | { status: "queued" | "running"; callId: string; notice: string };

/**
 * Hands one tool call to its runner's hub, which writes it to the durable outbox before sending.
 * Bad arguments are refused before they travel; an unknown runner is an error, never a hang.
 */
export async function submitCall(env: Env, call: CallRequest): Promise<CallAnswer> {
  const parsed = ToolRequest.safeParse(call.request);
  if (!parsed.success) {
    return {
      status: "done",
      outcome: { ok: false, error: { code: "bad_request", message: parsed.error.issues[0]?.message ?? "invalid arguments" } },
    };
  }
  const input = {
    callId: call.callId ?? newCallId(call.runner),
    runner: call.runner,
    session: call.session,
    request: parsed.data,
    timeoutMs: call.timeoutMs,
    replyTo: call.replyTo,
    label: call.label,
    waitMs: call.waitMs ?? INLINE_WAIT_MS,
    ...(call.fallbacks?.length ? { fallbacks: call.fallbacks, failoverAfterMs: call.failoverAfterMs ?? 0 } : {}),
  };
  // Safe to retry: the call id is chosen here, so a second attempt finds the call instead of adding it again.
  const result: SubmitResult = await retryOnce(async (): Promise<SubmitResult> => await hubStub(env, call.runner).submit(input));
  const moved = result.movedTo ? ` It moved to runner "${result.movedTo}" (failover from "${call.runner}").` : "";
  switch (result.status) {
    case "done":
      return { status: "done", outcome: result.outcome, ...(result.movedTo ? { movedTo: result.movedTo } : {}) };
    case "queued": {
      if (moved) {
        return {
          status: "queued",
          callId: result.callId,
          notice: `⏳ Queued —${moved} It runs when that runner reconnects; the result will follow here. Call ${result.callId}.`,
        };
      }
      const minutes = Math.max(1, Math.round((result.expiresAt - Date.now()) / 60_000));
      return {
        status: "queued",
        callId: result.callId,
        notice:
          `⏳ Queued — the home runner is offline. It runs when the runner reconnects; the result will follow here ` +
          `(it expires if the runner stays offline ${minutes} min). Call ${result.callId}.`,
      };
    }
    case "running":
      return {
        status: "running",
        callId: result.callId,
        notice: moved
          ? `⏳ Still running —${moved} The result will follow here. Call ${result.callId}.`
          : `⏳ Still running on the home runner; the result will follow here. Call ${result.callId}.`,
      };
  }
}

/** `<runner>_<32 hex>`: the runner's name first, so the call can be found from its id alone. */
export function newCallId(runner: string): string {
  return `${runner}_${crypto.randomUUID().replace(/-/g, "")}`;
}

/** Where a late result for this message goes: the Telegram chat or Slack conversation it came from, or the console's call log. */
export function replyTargetOf(message: { channel: string; chatId: string; account?: string; chat?: "dm" | "group" }): ChatTarget {
  if (message.channel === "telegram" && /^-?\d{1,20}$/.test(message.chatId)) return { channel: "telegram", chatId: message.chatId };
  if (message.channel === "slack" && message.account?.startsWith("slack:") && /^[CDGUW][A-Z0-9]{2,31}$/.test(message.chatId)) {
    return { channel: "slack", account: message.account, chatId: message.chatId };
  }
  if (message.channel === "discord" && message.account?.startsWith("discord:") && /^\d{17,20}$/.test(message.chatId)) {
    return {
      channel: "discord",
      account: message.account,
      chatId: message.chatId,
      ...(message.chat === "dm" ? { dm: true as const } : {}),
    };
  }
  if (message.channel === "whatsapp" && message.account?.startsWith("whatsapp:") && /^[1-9]\d{6,14}$/.test(message.chatId)) {
    return { channel: "whatsapp", account: message.account, chatId: message.chatId };
  }
  return { channel: "console" };
}
