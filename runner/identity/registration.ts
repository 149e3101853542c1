import { rename } from "node:fs/promises";
import type { AdminClient } from "../cli/admin-client.js";
import { pinGatewayKey } from "./gateway-key.js";
import { generateRunnerKey, loadRunnerKey, signRotationToken, type RunnerKey } from "./runner-key.js";

/**
 * Registers the runner's public key with the gateway and pins the gateway's capability key
 * from the answer: from then on the runner runs only calls that key signed.
 */
export async function registerRunner(
  admin: AdminClient,
  stateDir: string,
  runner: string,
  key: RunnerKey,
): Promise<{ kid: string; gatewayKid: string; pinned: "new" | "same" }> {
  const answer = await admin.registerRunner(runner, key.publicJwk);
  const pinned = await pinGatewayKey(stateDir, answer.gatewayKey);
  return { kid: answer.kid, gatewayKid: pinned.kid, pinned: pinned.pinned };
}

/**
 * Rotation: a new key is generated beside the current one, the current key signs a request
 * introducing it, and only once the gateway accepted it does the new key take the current one's
 * place (the old file is kept as `<key>.previous` until the owner deletes it). A running runner
 * picks the new key up on its next connect; the gateway retires every other key.
 */
export async function rotateRunnerKey(
  admin: AdminClient,
  stateDir: string,
  runner: string,
  keyPath: string,
): Promise<{ oldKid: string; newKid: string; retired: string[] }> {
  const current = await loadRunnerKey(keyPath);
  const nextPath = `${keyPath}.next`;
  const next = await generateRunnerKey(nextPath);
  const answer = await admin.rotateRunnerKey(runner, await signRotationToken(current, runner, next.publicJwk));
  await pinGatewayKey(stateDir, answer.gatewayKey);
  await rename(keyPath, `${keyPath}.previous`);
  await rename(nextPath, keyPath);
  return { oldKid: current.kid, newKid: answer.kid, retired: answer.retired };
}
