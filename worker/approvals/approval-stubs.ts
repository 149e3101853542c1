import { retryOnce } from "../objects/retry-once.js";
import { approvalIndexStub } from "../objects/stubs.js";
import type { ApprovalView } from "./approval.js";

/** The directory across sessions. Every operation is idempotent, so one retry covers a reset object. */
export const approvalIndex = {
  put: (env: Env, view: ApprovalView): Promise<void> => retryOnce(async () => await approvalIndexStub(env).put(view)),
  sessionOf: (env: Env, id: string): Promise<string | null> => retryOnce(async () => await approvalIndexStub(env).sessionOf(id)),
  list: (env: Env, state: ApprovalView["state"] | "all", limit: number): Promise<ApprovalView[]> =>
    retryOnce(async () => await approvalIndexStub(env).list(state, limit)),
};
