import { retryOnce } from "../objects/retry-once.js";
import { gatekeeperStub } from "../objects/stubs.js";
import type { KnownAccount } from "./known-accounts.js";

/**
 * The Gatekeeper instance that keeps the directory of channel accounts seen. Not a valid account
 * name (those are `<channel>:<id>`), so no channel's deliveries can reach it. Only Slack needs
 * it: a Telegram account is its bot token's id, but a Slack workspace's team id arrives with its
 * events and nowhere else, and the admin API and CLI need it to reach that workspace's Gatekeeper.
 */
export const ACCOUNTS_OBJECT_NAME = "~accounts";

/** Already noted by this isolate: one directory call per account and isolate, not one per event. */
const noted = new Set<string>();

/**
 * Records that `account` took a verified delivery. Never fails the delivery: the directory is
 * for the admin API, and the next event (or isolate) notes it again.
 */
export async function noteAccountSeen(env: Env, account: string): Promise<void> {
  if (noted.has(account)) return;
  try {
    await gatekeeperStub(env, ACCOUNTS_OBJECT_NAME).noteAccount(account);
    noted.add(account);
  } catch (error) {
    console.error(JSON.stringify({ event: "accounts.note_failed", account, error: String(error) }));
  }
}

/** The accounts seen on one channel, first seen first. */
export async function knownAccountsOn(env: Env, channel: string): Promise<KnownAccount[]> {
  const all = await retryOnce(async () => await gatekeeperStub(env, ACCOUNTS_OBJECT_NAME).knownAccounts());
  return all.filter((known) => known.account.startsWith(`${channel}:`));
}
