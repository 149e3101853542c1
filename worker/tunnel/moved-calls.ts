import { hubStub } from "../objects/stubs.js";
import * as calls from "./hub-calls.js";
import { movedCall, movedFrom } from "./failover-store.js";
import type { CallView, HubHost } from "./hub-types.js";

/**
 * A call is found by its id, which names the runner it was first routed to (hubs.ts); one that
 * failed over is answered by the hub that holds it now, whose view names the runner that serves
 * it (`runner`) and the one it left (`movedFrom`).
 */
export async function viewFollowingMoves(host: HubHost, id: string): Promise<CallView | null> {
  const moved = movedCall(host.sql, id);
  if (moved) {
    const there = await hubStub(host.env, moved.to).getCall(id);
    if (there) return there;
  }
  const view = calls.callView(host.sql, id);
  const from = movedFrom(host.sql, id);
  return view && from ? { ...view, movedFrom: from } : view;
}

/** Cancels a call where it is now: here, or on the hub it moved to. */
export async function cancelFollowingMoves(host: HubHost, id: string): Promise<CallView | null> {
  const moved = movedCall(host.sql, id);
  if (moved) {
    const there = await hubStub(host.env, moved.to).cancelCall(id);
    if (there) return there;
  }
  calls.cancel(host, id);
  return viewFollowingMoves(host, id);
}
