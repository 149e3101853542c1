import { expect } from "vitest";
import { CloseCode } from "../../shared/tunnel/protocol.js";
import { api, TestSocket } from "./tunnel-harness.js";
import { AuditList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";

export type HubAuditEntry = { at: number; event: string; detail: string };
type EdgeEvent = { kind: string; actor: string; detail: { runner?: string; reason?: string } };

/** The runner's own audit trail as its hub shows it (`GET /api/runners/:name`, newest first, last 20). */
export async function hubAudit(runner: string): Promise<HubAuditEntry[]> {
  const status = await (await api("GET", `/api/runners/${runner}`)).json<{ recentAudit: HubAuditEntry[] }>();
  return status.recentAudit;
}

/** The refusal everything after the first frame must see: the frames so far are exactly `frames`, then the socket is closed with `code`. */
export async function expectClosedWith(tunnel: TestSocket, code: number, frames: unknown[]): Promise<void> {
  for (const frame of frames) expect(await tunnel.next()).toMatchObject(frame as object);
  expect(await tunnel.closed).toBe(code);
  // Nothing came after the refusal: in particular no welcome.
  await expect(tunnel.next()).rejects.toThrow(/socket closed/);
}

/**
 * Sends `forge(nonce)` as the hello of a fresh socket and expects what a forger gets — an error frame,
 * close 4401, no welcome — and that the hub recorded the refusal, with the reason, as its newest event.
 * The hub writes the event before it closes the socket, so no waiting is needed.
 */
export async function expectRefusedHello(
  runner: string,
  forge: (nonce: string) => string | Promise<string>,
  reason: RegExp,
): Promise<void> {
  const { tunnel, nonce } = await TestSocket.open(runner);
  tunnel.send({ type: "hello", version: 2, token: await forge(nonce) });
  await expectClosedWith(tunnel, CloseCode.unauthorized, [{ type: "error", error: { code: "unauthorized" } }]);
  const [latest] = await hubAudit(runner);
  expect(latest).toEqual({ at: expect.any(Number), event: "tunnel.auth_failed", detail: expect.stringMatching(reason) });
}

/**
 * Waits until GET /api/audit holds `reasons.length` refused hellos of `runner` (copies reach the edge's log
 * in the background) and checks they carry those reasons, oldest first. Each test stays under the edge's
 * cap of 20 socket events per runner per minute, so every refusal is copied.
 */
export async function expectEdgeCopies(runner: string, reasons: RegExp[]): Promise<void> {
  let mine: EdgeEvent[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    const { events } = await readJson(await api("GET", "/api/audit?limit=1000"), AuditList);
    mine = events.filter((event) => event.detail.runner === runner && event.kind === "tunnel.auth_failed").reverse();
    if (mine.length >= reasons.length) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(mine.map((event) => event.detail.reason)).toEqual(reasons.map((reason) => expect.stringMatching(reason)));
  for (const event of mine) expect(event.actor).toBe(`runner:${runner}`);
}
