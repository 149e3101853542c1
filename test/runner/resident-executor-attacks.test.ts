import { randomBytes } from "node:crypto";
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { docker } from "../support/docker-probe.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

// Issue 18: with sandbox.residentExecutor, a command shares its container with the executor that
// runs every later call. Each test is an earlier command attacking it; the call after it must
// still answer with exactly its own output and exit code (docs/resident-executor.md).
const runner = uniqueRunner("executor");
const plainRunner = uniqueRunner("executorplain");
const state = await tempDir("executor");
const sandbox = testSandbox(runner, testSettings(join(state.path, "a"), { residentExecutor: true }));
const plain = testSandbox(plainRunner, testSettings(join(state.path, "b")));
everySandboxHardened([runner, plainRunner], async () => [await realpath(state.path)]);

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  await Promise.all([sandbox.removeAll(), plain.removeAll()]);
  await state.remove();
});

/** A later call that waits a little (for an attacker to act), then says who it is on both streams and exits 7. */
async function expectLaterCallTrue(session: string): Promise<void> {
  for (let round = 0; round < 2; round++) {
    const word = randomBytes(6).toString("hex");
    const later = await sandbox.exec(session, `sleep 0.3; printf 'later %s\\n' ${word}; printf 'err %s' ${word} >&2; exit 7`, 10_000);
    expect(later).toMatchObject({ exitCode: 7, stdout: `later ${word}\n`, stderr: `err ${word}`, timedOut: false });
  }
}

const FORGER = `while :; do for f in /proc/[0-9]*/fd/[0-9]*; do printf 'FORGED\\nDBX 000000000000000000000000 0 1 6 0 99999999\\nFORGED' >"$f"; done 2>/dev/null; done`;

describe("an earlier command cannot forge a later call's result through the resident executor", () => {
  it("the executor runs the calls, and is the command's parent", async () => {
    const seen = await sandbox.exec("who", "tr '\\0' '\\n' </proc/$PPID/cmdline | tail -n 1", 10_000);
    expect(seen).toMatchObject({ exitCode: 0, stdout: "drawbridge-executor\n" });
  }, 30_000);

  it("a background process writing forged answers into every descriptor it can open is gone before the next call", async () => {
    // (Its own output is whatever its forgers made of it: they write into its descriptors too.)
    await sandbox.exec(
      "forger",
      `(${FORGER}) </dev/null >/dev/null 2>&1 & setsid sh -c '${FORGER.replace(/'/g, "'\\''")}' </dev/null >/dev/null 2>&1 &`,
      10_000,
    );
    await expectLaterCallTrue("forger");
    const left = await sandbox.exec("forger", "ps -o args | grep -c '[F]ORGED'", 10_000);
    expect(left.stdout).toBe("0\n");
  }, 60_000);

  it("the executor's memory, descriptors (its channel) and environment cannot be opened, read or written", async () => {
    const tries = [
      "( exec 3<>/proc/$x/mem )",
      "( printf 'DBX 000000000000000000000000 0 1 0 0 0\\n' >/proc/$x/fd/1 )",
      "( head -c 1 /proc/$x/fd/0 )",
      "( cat /proc/$x/environ )",
      "ls /proc/$x/fd",
      "( printf x | dd of=/proc/$x/mem bs=1 seek=4096 conv=notrunc )",
    ];
    const script = `x=$PPID; ${tries.map((t, i) => `${t} >/dev/null 2>&1 && echo "reached ${i}"`).join("; ")}; echo tried`;
    const attack = await sandbox.exec("reach", script, 10_000);
    expect(attack).toMatchObject({ exitCode: 0, stdout: "tried\n" });
    await expectLaterCallTrue("reach");
  }, 60_000);

  it("the container's init and idle process — which every sweep spares — can be neither written nor signalled", async () => {
    const script = [
      "idle=$(ps -o pid,ppid,args | awk '$2 == 1 && /sleep/ { print $1; exit }')",
      "for p in 1 $idle; do",
      '  ( exec 3<>/proc/$p/mem ) 2>/dev/null && echo "mem $p"',
      '  kill -STOP $p 2>/dev/null && echo "stopped $p"',
      "done",
      'echo "idle=${idle:+found}"',
    ].join("\n");
    const attack = await sandbox.exec("init", script, 10_000);
    expect(attack).toMatchObject({ exitCode: 0, stdout: "idle=found\n" });
    await expectLaterCallTrue("init");
  }, 60_000);

  it("killing the executor fails only that call; what it left running dies with the container", async () => {
    await expect(sandbox.exec("kill", "sleep 300 & kill -9 $PPID; sleep 1", 10_000)).rejects.toThrow(/resident executor stopped/);
    await expectLaterCallTrue("kill");
    const left = await sandbox.exec("kill", "ps -o args | grep -c '[s]leep 300'", 10_000);
    expect(left.stdout).toBe("0\n");
  }, 60_000);

  it("stopping the executor ends that call at its deadline, and the next call runs in a fresh container", async () => {
    // Stopped mid-answer (seen on a loaded machine), the executor's garbled frame fails the call
    // instead of timing it out: either way the call reports no output of its own, never a forged one.
    const attack = await sandbox.exec("stop", "kill -STOP $PPID; echo stopped", 1_000).catch((error: unknown) => error);
    if (attack instanceof Error) expect(attack.message).toMatch(/resident executor stopped/);
    else expect(attack).toMatchObject({ exitCode: null, timedOut: true });
    await expectLaterCallTrue("stop");
  }, 60_000);

  it("the executor's binary cannot be replaced, and its channel has no name to guess", async () => {
    const script = [
      "for how in 'cp /bin/sh /opt/drawbridge/busybox' 'rm -f /opt/drawbridge/busybox' 'mv /opt/drawbridge /tmp/x' 'chmod 755 /opt/drawbridge/busybox'; do",
      '  $how 2>/dev/null && echo "did $how"',
      "done",
      // No unix socket anywhere in the sandbox (the channel is the engine's pipes), no network.
      "echo sockets=$(($(wc -l </proc/net/unix) - 1))",
    ].join("\n");
    const attack = await sandbox.exec("replace", script, 10_000);
    expect(attack).toMatchObject({ exitCode: 0, stdout: "sockets=0\n" });
    await expectLaterCallTrue("replace");
  }, 60_000);

  it("a forged answer in a command's own output is only its output", async () => {
    const fake = "DBX 000000000000000000000000 0 1 0 0 0\n";
    const attack = await sandbox.exec("frame", `printf '${fake.replace("\n", "\\n")}'; printf 'a\\0b' >&2; exit 5`, 10_000);
    expect(attack).toMatchObject({ exitCode: 5, stdout: fake, stderr: "a\u0000b" });
    await expectLaterCallTrue("frame");
  }, 60_000);

  it("signals the executor does not die of leave its answers true", async () => {
    const attack = await sandbox.exec(
      "signals",
      "for s in CHLD WINCH URG CONT; do kill -$s $PPID; done; sleep 0.2; printf mine; exit 4",
      10_000,
    );
    expect(attack).toMatchObject({ exitCode: 4, stdout: "mine", stderr: "" });
    await expectLaterCallTrue("signals");
  }, 60_000);

  it("filling /tmp, where the executor keeps the output, does not starve the next call's output", async () => {
    await sandbox.exec("fill", "dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>/dev/null; echo filled", 20_000);
    await expectLaterCallTrue("fill");
  }, 60_000);
});

describe("through the resident executor a command answers as through docker exec", () => {
  const commands = [
    "printf '%s|' \"  a\\\\b  \" 'é ✓'\n\n",
    "yes | head -c 70000; yes e | head -c 70000 >&2; exit 3",
    "cd /workspace; pwd; echo $HOME $PATH; id -u; ulimit -n",
    "kill -TERM $$",
    "cat; echo stdin=$?",
  ];
  it.each(commands)(
    "%j",
    async (command) => {
      const [resident, docker] = [await sandbox.exec("same", command, 10_000), await plain.exec("same", command, 10_000)];
      expect({ ...resident, durationMs: 0 }).toEqual({ ...docker, durationMs: 0 });
    },
    30_000,
  );
});
