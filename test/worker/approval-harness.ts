import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { Session } from "../../worker/approvals/session.js";
import { buttonUpdate, GateHarness } from "./gate-harness.js";
import { connectRunner, execOutput, newKey, register, type Frame, type TestSocket } from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";
import { ApprovalList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";

export type Button = { text: string; callback_data: string };
export type ApprovalListing = { id: string; session: string; state: string; sender: string; label: string; decidedBy: string | null };

/** A scripted runner: it answers each call by hand and counts what reached it. */
export class ScriptedRunner {
  readonly executed: string[] = [];
  private resultSeq = 0;
  constructor(readonly tunnel: TestSocket) {}

  /** Takes the next call off the socket and answers it; acks for earlier results are skipped. */
  async answerNext(): Promise<Frame> {
    let call = await this.tunnel.next();
    while (call.type === "ack") call = await this.tunnel.next();
    expect(call.type).toBe("call");
    const command = (call.request as { args: { command?: string } }).args.command ?? "";
    this.executed.push(command);
    this.tunnel.send({ type: "ack", seq: call.seq });
    this.resultSeq += 1;
    this.tunnel.send({ type: "result", seq: this.resultSeq, id: call.id, outcome: { ok: true, output: execOutput(`ran: ${command}`) } });
    return call;
  }
}

/** A Gatekeeper harness whose default runner is a scripted one of its own. */
export async function gateWithRunner(
  botId: number,
  ownerId: number,
  access: unknown,
): Promise<{ gate: GateHarness; runner: ScriptedRunner }> {
  const gate = new GateHarness(botId, ownerId, access);
  const name = newRunnerName("approvals");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  Object.assign(gate.env, { DEFAULT_RUNNER: name });
  const { tunnel } = await connectRunner(name, key);
  return { gate, runner: new ScriptedRunner(tunnel) };
}

/** Does `work` (which makes one call reach the runner) while the runner answers it. */
export async function whileRunnerAnswers(runner: ScriptedRunner, work: () => Promise<unknown>): Promise<Frame> {
  const [call] = await Promise.all([runner.answerNext(), work()]);
  return call;
}

/**
 * The barrier for "nothing reached the runner": the owner runs a marker command; the next call
 * the runner sees must be that marker. Anything sent earlier would have arrived first.
 */
export async function expectNothingElseRan(gate: GateHarness, runner: ScriptedRunner, marker: string): Promise<void> {
  const before = runner.executed.length;
  await whileRunnerAnswers(runner, () => gate.dm(gate.ownerId, `/run echo ${marker}`));
  expect(runner.executed.slice(before)).toEqual([`echo ${marker}`]);
}

/** The owner's approval prompts (messages with buttons), with the approval id each carries. */
export async function approvalPrompts(gate: GateHarness): Promise<Array<{ id: string; text: string; buttons: Button[] }>> {
  return (await gate.sentTo(gate.ownerId))
    .filter((call) => call.method === "sendMessage" && call.params.reply_markup)
    .map((call) => {
      const buttons = (call.params.reply_markup as { inline_keyboard: Button[][] }).inline_keyboard.flat();
      const id = /^ap:([0-9a-f]{24}):/.exec(buttons[0]?.callback_data ?? "")?.[1] ?? "";
      return { id, text: String(call.params.text), buttons };
    })
    .filter((prompt) => prompt.id !== "");
}

/** What the owner's prompt was edited to, once decided. */
export async function promptEdits(gate: GateHarness, id: string): Promise<string[]> {
  return (await gate.sentTo(gate.ownerId))
    .filter((call) => call.method === "editMessageText" && String(call.params.text).includes(id))
    .map((call) => String(call.params.text));
}

/** A tap on an inline button of the owner's chat; returns how the tap was answered. */
export async function tap(gate: GateHarness, fromId: number, data: string): Promise<string> {
  const update = buttonUpdate(fromId, data, gate.ownerId);
  const callbackId = (update.callback_query as { id: string }).id;
  await gate.post(update);
  await gate.settle();
  const answers = (await gate.allCalls()).filter(
    (call) => call.method === "answerCallbackQuery" && call.params.callback_query_id === callbackId,
  );
  expect(answers).toHaveLength(1);
  return String(answers[0]?.params.text);
}

export async function listApprovals(gate: GateHarness, state = "pending"): Promise<ApprovalListing[]> {
  const response = await gate.api("GET", `/api/approvals?state=${state}&limit=500`);
  expect(response.status).toBe(200);
  return (await readJson(response, ApprovalList)).approvals;
}

/** Moves the session's business clock past the expiry and runs its alarm, as if the time had passed. */
export async function expireSession(gate: GateHarness, session: string, ms: number): Promise<void> {
  const stub = gate.env.SESSION.get(gate.env.SESSION.idFromName(session));
  await runInDurableObject(stub, (instance: Session) => {
    instance.clock = () => Date.now() + ms;
  });
  await runDurableObjectAlarm(stub);
}
