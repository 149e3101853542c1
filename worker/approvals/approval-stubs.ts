import { retryOnce } from "../tunnel/hubs.js";
import type { ApprovalView } from "./approval.js";
import type { ApprovalIndex } from "./approval-index.js";
import type { Session } from "./session.js";

/** The session's Durable Object, by session key (the same key that picks the sandbox on the runner). */
export function sessionStub(env: Env, session: string): DurableObjectStub<Session> {
  return env.SESSION.get(env.SESSION.idFromName(session));
}

function indexStub(env: Env): DurableObjectStub<ApprovalIndex> {
  return env.APPROVAL_INDEX.get(env.APPROVAL_INDEX.idFromName("approvals"));
}

/** The directory across sessions. Every operation is idempotent, so one retry covers a reset object. */
export const approvalIndex = {
  put: (env: Env, view: ApprovalView): Promise<void> => retryOnce(async () => await indexStub(env).put(view)),
  sessionOf: (env: Env, id: string): Promise<string | null> => retryOnce(async () => await indexStub(env).sessionOf(id)),
  list: (env: Env, state: ApprovalView["state"] | "all", limit: number): Promise<ApprovalView[]> =>
    retryOnce(async () => await indexStub(env).list(state, limit)),
};
