import { markedSignalScript, MARKER_VAR, SWEEP } from "./exec-wrapper.js";

/** The executor's name ($0): the deadline's side exec finds it (and so the call's command, its child) by it. */
export const EXECUTOR_NAME = "drawbridge-executor";

/**
 * The resident executor, run once per container through one `docker exec` whose attached stream
 * only the runner holds, from an execute-only copy of busybox: the kernel makes a process that
 * executed a file it cannot read non-dumpable, so the sandbox user — though the same uid — can
 * neither ptrace it nor open its /proc/<pid>/mem, /proc/<pid>/fd/* or environ (docs/resident-executor.md).
 *
 * Requests on stdin: `<nonce> <marker> <cap>\n<command>\0`. Per request it sweeps (nothing but
 * itself and the engine's execs may be left of the sandbox user), runs the command with
 * `setsid /bin/sh -c` (its own session and process group, the marker in its environment, stdin
 * /dev/null, stdout/stderr into two unlinked tmpfs files only it holds — each command reopens them
 * through its own /proc/self/fd, so it starts at offset 0 on a truncated file), sweeps again until
 * a round finds nothing, then answers on stdout:
 * `DBX <nonce> <status> <settled> <outBytes> <errBytes> <tmpFree>\n` and the first `cap` bytes of each
 * file. `tmpFree` is what /tmp (where the two files live) has left, so the runner can retire a
 * container whose /tmp an earlier command filled before it starves a later call's output.
 * `status` is `-` when the sweep before the command did not settle (the command did not run).
 * The command never holds the channel: only this process and, after the last sweep settled, its
 * own `stat` and `head` do. Its stderr goes to /dev/null, so the stream's stderr carries nothing.
 */
export function executorCommandLine(binary: string): string[] {
  const script = [
    SWEEP,
    "settle() { settled=0; for round in 1 2 3 4 5 6 7 8 9 10; do sweep_once || { settled=1; return; }; done; }",
    "set -C",
    'o="/tmp/.drawbridge-executor.$$.out"; e="/tmp/.drawbridge-executor.$$.err"',
    'exec 3<>"$o" 4<>"$e" || exit 70',
    '/bin/rm -f "$o" "$e" </dev/null',
    "set +C",
    "exec 2>/dev/null",
    "printf 'DBX ready\\n'",
    "while IFS=' ' read -r nonce marker cap; do",
    "  IFS= read -r -d '' cmd || exit 71",
    "  settle",
    "  if [ $settled = 1 ]; then",
    `    ${MARKER_VAR}=$marker /bin/setsid /bin/sh -c "$cmd" </dev/null >/proc/self/fd/3 2>/proc/self/fd/4 3>&- 4>&-`,
    "    status=$?",
    "    settle",
    "  else status=-; fi",
    "  set -- $(/bin/stat -L -c %s /proc/self/fd/3 /proc/self/fd/4 </dev/null) $(/bin/stat -f -c '%a %S' /tmp </dev/null)",
    '  printf \'DBX %s %s %s %s %s %s\\n\' "$nonce" "$status" "$settled" "$1" "$2" $((${3:-0} * ${4:-0}))',
    '  [ "$status" = - ] || /bin/head -q -c "$cap" /proc/self/fd/3 /proc/self/fd/4 </dev/null',
    "done",
  ].join("\n");
  return [binary, "sh", "-c", script, EXECUTOR_NAME];
}

/**
 * A side exec that sends `sig` to the executor's running command: every process carrying its
 * marker, and the executor's direct children (the command itself, found by its parent: the one
 * engine exec, parent 0, named EXECUTOR_NAME), so a command that `exec env -i …`s itself is caught
 * too. Stopped first, continued last, as signalCommandLine does. Shell builtins only.
 */
export function executorSignalCommandLine(marker: string, sig: "TERM" | "KILL"): string[] {
  return ["/bin/sh", "-c", markedSignalScript(EXECUTOR_NAME, sig), "executor-signal", marker];
}
