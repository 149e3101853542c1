import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import type Docker from "dockerode";
import { SANDBOX_ENV, SANDBOX_USER, WORKSPACE_MOUNT } from "./container-spec.js";
import { executorCommandLine } from "./executor-script.js";
import { SandboxError } from "./sandbox-runtime.js";

/** One answer of the executor: the command's status (null: it did not run), whether the sweeps settled, the capped output. */
export type ExecutorAnswer = {
  status: number | null;
  settled: boolean;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Bytes left on the container's /tmp after the call. */
  tmpFree: number;
};

type Pending = { nonce: string; cap: number; resolve: (answer: ExecutorAnswer) => void; reject: (error: Error) => void };
type Header = { status: number | null; settled: boolean; outBytes: number; errBytes: number; tmpFree: number };

const READY = "DBX ready";
const HEADER = /^DBX ([0-9a-f]{24}) (-|\d{1,3}) ([01]) (\d{1,15}) (\d{1,15}) (\d{1,15})$/;
const START_TIMEOUT_MS = 10_000;

/**
 * The runner's end of a resident executor (executor-script.ts): one `docker exec` started once,
 * whose attached stream is the only channel to it. One request at a time, each with a fresh
 * random nonce the answer must echo. Anything unexpected — a wrong nonce, a malformed header,
 * bytes on stderr or between answers, the stream ending — breaks it for good: every later call
 * fails and the caller throws the container away.
 */
export class ResidentExecutor {
  private buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private header: Header | undefined;
  private ready: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private brokenBy: Error | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly stream: Duplex) {}

  /** Starts the executor in `container` from the execute-only binary at `binary` (inside the container). */
  static async start(docker: Docker, container: Docker.Container, binary: string): Promise<ResidentExecutor> {
    const exec = await container.exec({
      Cmd: executorCommandLine(binary),
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: SANDBOX_USER,
      WorkingDir: WORKSPACE_MOUNT,
      Env: SANDBOX_ENV,
    });
    const stream = await exec.start({ hijack: true, stdin: true });
    const executor = new ResidentExecutor(stream);
    const sink = (onChunk: (chunk: Buffer) => void) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          onChunk(chunk);
          done();
        },
      });
    docker.modem.demuxStream(
      stream,
      sink((chunk) => executor.onStdout(chunk)),
      sink(() => executor.fail("the executor wrote to stderr")),
    );
    stream.once("end", () => executor.fail("the executor's stream ended"));
    stream.once("close", () => executor.fail("the executor's stream closed"));
    stream.once("error", (error: Error) => executor.fail(`the executor's stream failed: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => executor.fail("the executor did not start"), START_TIMEOUT_MS);
      executor.ready = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
    });
    return executor;
  }

  get broken(): boolean {
    return this.brokenBy !== undefined;
  }

  /** Runs `command`; calls queue behind each other. Rejects with a SandboxError if the executor broke. */
  run(command: string, cap: number, marker: string): Promise<ExecutorAnswer> {
    const turn = this.queue.then(() => this.runNow(command, cap, marker));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Ends the executor's stream (the container going away ends it too). */
  close(): void {
    this.fail("the executor was closed");
    this.stream.destroy();
  }

  private runNow(command: string, cap: number, marker: string): Promise<ExecutorAnswer> {
    if (this.brokenBy) return Promise.reject(this.brokenBy);
    const nonce = randomBytes(12).toString("hex");
    return new Promise<ExecutorAnswer>((resolve, reject) => {
      this.pending = { nonce, cap, resolve, reject };
      this.stream.write(`${nonce} ${marker} ${cap}\n${command}\0`);
    });
  }

  private onStdout(chunk: Buffer): void {
    if (this.brokenBy) return;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.header) {
        const end = this.buffer.indexOf(0x0a);
        if (end < 0) {
          if (this.buffer.length > 128) this.fail("the executor sent a malformed header");
          return;
        }
        const line = this.buffer.subarray(0, end).toString("latin1");
        this.buffer = this.buffer.subarray(end + 1);
        if (this.ready && line === READY) {
          this.ready.resolve();
          this.ready = undefined;
          continue;
        }
        const match = HEADER.exec(line);
        if (!this.pending || !match || match[1] !== this.pending.nonce) return this.fail("the executor sent an unexpected answer");
        const status = match[2] === "-" ? null : Number(match[2]);
        const [outBytes, errBytes, tmpFree] = [match[4], match[5], match[6]].map(Number) as [number, number, number];
        this.header = { status, settled: match[3] === "1", outBytes, errBytes, tmpFree };
      }
      const pending = this.pending;
      if (!pending) return this.fail("the executor answered a call that was not asked");
      const { status, outBytes, errBytes } = this.header;
      const out = status === null ? 0 : Math.min(outBytes, pending.cap);
      const err = status === null ? 0 : Math.min(errBytes, pending.cap);
      if (this.buffer.length < out + err) return;
      const answer: ExecutorAnswer = {
        status,
        settled: this.header.settled,
        stdout: Buffer.from(this.buffer.subarray(0, out)),
        stderr: Buffer.from(this.buffer.subarray(out, out + err)),
        stdoutTruncated: outBytes > pending.cap,
        stderrTruncated: errBytes > pending.cap,
        tmpFree: this.header.tmpFree,
      };
      this.buffer = this.buffer.subarray(out + err);
      this.header = undefined;
      this.pending = undefined;
      pending.resolve(answer);
      // The next request is written only after this answer is taken: anything more is not the executor's.
      if (this.buffer.length > 0) this.fail("the executor sent bytes after its answer");
      return;
    }
  }

  private fail(reason: string): void {
    if (this.brokenBy) return;
    this.brokenBy = new SandboxError(`the sandbox's resident executor stopped: ${reason}`);
    this.ready?.reject(this.brokenBy);
    this.ready = undefined;
    this.pending?.reject(this.brokenBy);
    this.pending = undefined;
  }
}
