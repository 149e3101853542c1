/** Seconds between the polite SIGTERM at the time limit and the SIGKILL that follows. */
export const KILL_GRACE_SECONDS = 2;

/** Names one exec's processes: inherited by everything it starts, so a cancel can find them all. */
export const MARKER_VAR = "SANDBOX_EXEC";

/** The wrapper's name ($0); the marker follows it, so a sweep can tell which call a running wrapper is. */
const NAME = "drawbridge-exec";

/**
 * Ends whatever the call left running, once its command has returned. First every process the
 * sandbox user owns stands still (`kill -STOP -1`: one pass in the kernel, which a fork bomb cannot
 * outrun; init and this wrapper are exempt). Then, at leisure, the still ones are sorted: the
 * container's idle process (the earliest started child of init) and the calls still running beside
 * this one (agent/shared scopes) go on; everything else is killed. The engine starts every exec
 * with parent 0 inside the container, which no process started in it can fake; those execs, their
 * trees and the processes carrying their marker (read from their wrapper's name) are spared.
 * Orphans of this call were reparented to init, so neither a new session (`setsid`) nor a scrubbed
 * environment (`env -i`) gets one out. Shell builtins only on the usual path: it works in a
 * container at its pids limit. `$$` is the wrapper.
 */
export const SWEEP = `
sweep_once() {
  kill -STOP -1 2>/dev/null
  found=""
  main=""
  first=""
  live=""
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    { read -r s < "$d/stat"; } 2>/dev/null || continue
    set -- \${s##*") "}
    eval "pp_$p=$2"
    [ "$p" = 1 ] || [ "$p" = $$ ] && continue
    if [ "$2" = 0 ]; then live="$live $p"; continue; fi
    if [ "$2" = 1 ] && { [ -z "$first" ] || [ "\${20}" -lt "$first" ]; }; then first=\${20}; main=$p; fi
    found="$found $p"
  done
  spare=" $main "
  if [ -n "$live" ]; then
    marks=""
    for p in $live; do
      m=$(tr '\\0' '\\n' < /proc/$p/cmdline 2>/dev/null | grep -x '${NAME}:[0-9a-f]*')
      [ -n "$m" ] && marks="$marks -e ${MARKER_VAR}=\${m#${NAME}:}"
    done
    [ -n "$marks" ] && for f in $(grep -lF $marks /proc/[0-9]*/environ 2>/dev/null); do f=\${f#/proc/}; spare="$spare\${f%/environ} "; done
    for p in $found; do
      q=$p
      n=0
      while [ -n "$q" ] && [ "$q" -gt 1 ] && [ $n -lt 200 ]; do
        case " $live " in *" $q "*) spare="$spare$p "; break;; esac
        eval "q=\\\${pp_$q:-}"
        n=$((n + 1))
      done
    done
  fi
  doomed=""
  for p in $found; do
    case "$spare" in *" $p "*) ;; *) doomed="$doomed $p";; esac
  done
  kill -KILL $doomed 2>/dev/null
  kill -CONT $spare $live 2>/dev/null
  [ -n "$doomed" ]
}`;

/**
 * The one place an exec's command line is built: `command` under `/bin/sh -c`, its processes marked
 * with `marker`, then, unless the runner config keeps background processes, the sweep above. The
 * wrapper answers with the command's status. No time limit in here: the runner keeps the deadline
 * and, when it passes, signals the call's processes from outside (signalCommandLine below), after
 * which this wrapper's command returns and the sweep runs as after any other return. (A busybox
 * `timeout` in between cost a fork and an exec in the container on every call.)
 */
export function execCommandLine(
  command: string,
  options: { marker: string; keepBackground: boolean; shell?: readonly string[] | undefined },
): string[] {
  const { marker, keepBackground, shell = ["/bin/sh"] } = options;
  const script = [
    // Signals that would end the wrapper only run a no-op: it dies unswept by SIGKILL alone, whose 137 the runner checks (sweepCommandLine).
    `trap : ${FATAL_SIGNALS}`,
    SWEEP,
    `${MARKER_VAR}=\${0#${NAME}:} /bin/sh -c "$2"`,
    "status=$?",
    // A process caught mid-fork by the stop can leave a child behind: sweep again until one finds nothing.
    '[ "$1" = keep ] || for round in 1 2 3 4 5 6 7 8 9 10; do sweep_once || break; done',
    "exit $status",
  ].join("\n");
  // The marker rides in the wrapper's name: the wrapper itself must not carry it, or a signal to marked processes would end the wrapper before its sweep.
  return [...shell, "-c", script, `${NAME}:${marker}`, keepBackground ? "keep" : "sweep", command];
}

/** The signals whose default action ends a process, bar SIGKILL (untrappable); a trap's handler is reset in the command. */
const FATAL_SIGNALS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31]
  .concat(Array.from({ length: 31 }, (_, i) => 34 + i))
  .join(" ");

/**
 * The sweep as a side exec, run by the runner when a call's exec ended with 137: the wrapper may
 * have been SIGKILLed before its own sweep (`kill -9 $PPID`), and its exit status is all the runner
 * sees. Exits 0 only once a round found nothing left; anything else (unsettled, killed, stopped)
 * and the container is discarded.
 */
export function sweepCommandLine(shell: readonly string[] = ["/bin/sh"]): string[] {
  const script = [SWEEP, "for round in 1 2 3 4 5 6 7 8 9 10; do sweep_once || exit 0; done", "exit 1"].join("\n");
  return [...shell, "-c", script, "sweep-exec"];
}

/**
 * A side exec that sends `sig` to one call's processes: those carrying its marker (MARKER_VAR in
 * /proc/<pid>/environ) and the direct children of its wrapper (found by the marker in its name and
 * its parent 0, which only the engine's execs have), so a command that `exec env -i …`s itself is
 * caught too; whatever else it started, the wrapper's sweep ends once the command returns. All are
 * stopped first and continued last, so a parent cannot run on (or exit) between its child's signal
 * and its own. Shell builtins only (`read -d ''` splits /proc's NUL-separated lists): it works in
 * a container at its pids limit, where a pipe could not fork.
 */
export function signalCommandLine(marker: string, sig: "TERM" | "KILL"): string[] {
  return ["/bin/sh", "-c", markedSignalScript(`${NAME}:$MARK`, sig), "signal-exec", marker];
}

/**
 * The script behind signalCommandLine, for a call whose processes hang off one engine exec named
 * `parentName` (shell text, compared with each parent-0 process's argv): the wrapper here, the
 * resident executor in executor-script.ts. The marker is its $1.
 */
export function markedSignalScript(parentName: string, sig: "TERM" | "KILL"): string {
  return `
MARK=$1
parent=""
pids=""
for d in /proc/[0-9]*; do
  p=\${d#/proc/}
  [ "$p" = $$ ] && continue
  { read -r s < "$d/stat"; } 2>/dev/null || continue
  set -- \${s##*") "}
  eval "pp_$p=$2"
  if [ "$2" = 0 ]; then
    { while IFS= read -r -d '' a; do [ "$a" = "${parentName}" ] && parent=$p && break; done < "$d/cmdline"; } 2>/dev/null
    continue
  fi
  { while IFS= read -r -d '' v; do [ "$v" = "${MARKER_VAR}=$MARK" ] && pids="$pids $p" && break; done < "$d/environ"; } 2>/dev/null
done
if [ -n "$parent" ]; then
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    eval "q=\\\${pp_$p:-}"
    [ "$q" = "$parent" ] && case " $pids " in *" $p "*) ;; *) pids="$pids $p";; esac
  done
fi
if [ -n "$pids" ]; then kill -STOP $pids; kill -${sig} $pids; kill -CONT $pids; fi 2>/dev/null
true`;
}
