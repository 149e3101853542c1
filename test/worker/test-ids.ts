/**
 * Every id a workerd test gives a Durable Object's name or a stored row: bot ids (one Gatekeeper
 * each), owner and sender ids, group ids and runner names (one RunnerHub each).
 *
 * All test files share one workerd and its Durable Object storage (isolatedStorage is off), but
 * each file imports this module afresh, so a counter alone would hand two files the same ids. Ids
 * are therefore a random 9-digit prefix drawn once per file, then a counter: two files share a
 * prefix with odds of about 1 in 10^6 per run of 40 files, and a watch re-run, whose storage is
 * still there, draws new prefixes too. 9 + 6 digits stay below 2^52, the largest Telegram id.
 */
const PREFIX = 100_000_000 + (crypto.getRandomValues(new Uint32Array(1))[0]! % 900_000_000);
const PER_FILE = 1_000_000;
let counter = 0;

function next(): number {
  counter += 1;
  if (counter >= PER_FILE) throw new Error("a test file asked for more than 999,999 ids");
  return PREFIX * PER_FILE + counter;
}

/** A Telegram user id no other test uses (an owner, a sender). */
export function newUserId(): number {
  return next();
}

/** A bot id of its own, so a Gatekeeper of its own (token "<botId>:<secret>"). */
export function newBotId(): number {
  return next();
}

/** A group chat id (negative, as Telegram's are). */
export function newGroupId(): number {
  return -next();
}

/** A runner name of its own (`[a-z0-9][a-z0-9-]{0,63}`), so a RunnerHub of its own. */
export function newRunnerName(prefix: string): string {
  const name = `${prefix}-${PREFIX.toString(36)}-${next() % PER_FILE}`;
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw new Error(`not a runner name: ${name}`);
  return name;
}
