import { randomBytes } from "node:crypto";
import { realpath } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSandboxImage } from "../../runner/sandbox/sandbox-image.js";
import { docker } from "../support/docker-probe.js";
import { everySandboxHardened } from "./support/hardening-watch.js";
import { tempDir, testSandbox, testSettings, uniqueRunner } from "./support/sandbox-setup.js";

// The default `docker exec` path (no resident executor): an earlier command attacks the sweep that
// ends what it leaves running; the calls after it must still answer with exactly their own output
// and exit code (docs/sandbox.md, "What the sweep guarantees").
const runner = uniqueRunner("sweepattack");
const state = await tempDir("sweepattack");
const sandbox = testSandbox(runner, testSettings(state.path));
everySandboxHardened([runner], async () => [await realpath(state.path)]);

beforeAll(() => ensureSandboxImage(docker), 120_000);
afterAll(async () => {
  await sandbox.removeAll();
  await state.remove();
});

/** Two later calls that wait a little (for a forger to act), then say who they are on both streams and exit 7. */
async function expectLaterCallsTrue(session: string): Promise<void> {
  for (let round = 0; round < 2; round++) {
    const word = randomBytes(6).toString("hex");
    const later = await sandbox.exec(session, `sleep 0.5; printf 'later %s\\n' ${word}; printf 'err %s' ${word} >&2; exit 7`, 10_000);
    expect(later).toMatchObject({ exitCode: 7, stdout: `later ${word}\n`, stderr: `err ${word}`, timedOut: false });
  }
}

/** Writes FORGED into every stdout and stderr it can open, forever. */
const FORGER = `while :; do for f in /proc/[0-9]*/fd/1 /proc/[0-9]*/fd/2; do printf FORGED >"$f"; done 2>/dev/null; done`;

/**
 * x86-64: execve("/workspace/.f", NULL, NULL), written over the code pid 1 returns to from the
 * system call it waits in (/proc/1/syscall names the address). `lea rdi,[rip+11]; xor esi,esi;
 * xor edx,edx; mov eax,59; syscall`, then the path.
 */
const EXECVE_STUB = "\\110\\215\\075\\013\\000\\000\\000\\061\\366\\061\\322\\270\\073\\000\\000\\000\\017\\005/workspace/.f\\000";

describe("an earlier command cannot get past the sweep of the default exec path", () => {
  it("killing its own wrapper before the sweep leaves no forger for the next calls", async () => {
    await sandbox.exec("killwrapper", `(${FORGER}) </dev/null >/dev/null 2>&1 & sleep 0.2; kill -9 $PPID`, 10_000);
    await expectLaterCallsTrue("killwrapper");
  }, 60_000);

  it("a wrapper killed while the command still runs leaves nothing of it behind", async () => {
    await sandbox.exec("killwrapperlate", `(${FORGER}) </dev/null >/dev/null 2>&1 & (sleep 0.3; kill -9 $PPID) & sleep 5`, 10_000);
    await expectLaterCallsTrue("killwrapperlate");
  }, 60_000);

  it("writing its wrapper's memory to make it exit 0 before the sweep leaves no forger for the next calls", async () => {
    // x86-64 `xor edi,edi; mov eax,231; syscall` (exit_group(0)) where the wrapper returns from waiting for this command.
    const stub = "\\061\\377\\270\\347\\000\\000\\000\\017\\005";
    const script = `(${FORGER}) </dev/null >/dev/null 2>&1 & set -- $(cat /proc/$PPID/syscall 2>/dev/null); pc=$(( \${9:-0} )); [ "$pc" -gt 0 ] && printf '${stub}' | dd of=/proc/$PPID/mem bs=1 seek=$pc conv=notrunc 2>/dev/null; true`;
    await sandbox.exec("wrappermem", script, 10_000);
    await expectLaterCallsTrue("wrappermem");
  }, 60_000);

  it("the container's init, which every sweep spares, cannot be turned into a forger", async () => {
    const script = [
      `printf '#!/bin/sh\\n%s\\n' '${FORGER}' >/workspace/.f && chmod +x /workspace/.f`,
      "set -- $(cat /proc/1/syscall 2>/dev/null)",
      "pc=$(( ${9:-0} ))",
      `[ "$pc" -gt 0 ] && printf '${EXECVE_STUB}' | dd of=/proc/1/mem bs=1 seek=$pc conv=notrunc 2>/dev/null`,
      "sleep 1.5",
      "echo done",
    ].join("\n");
    await sandbox.exec("init", script, 10_000);
    await expectLaterCallsTrue("init");
    // Nor can the sandbox user stop, kill or write the container's own processes.
    const reach = await sandbox.exec(
      "init",
      'idle=$(ps -o pid,ppid,args | awk \'$2 == 1 && /sleep/ { print $1; exit }\'); for p in 1 $idle; do ( exec 3<>/proc/$p/mem ) 2>/dev/null && echo "mem $p"; kill -CONT $p 2>/dev/null && echo "signal $p"; done; echo "idle=${idle:+found}"',
      10_000,
    );
    expect(reach).toMatchObject({ exitCode: 0, stdout: "idle=found\n" });
  }, 60_000);
});
