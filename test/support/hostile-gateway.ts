import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { WebSocketServer, type WebSocket } from "ws";
import { messageText } from "../../runner/tunnel/message-text.js";
import { PROTOCOL_VERSION } from "../../shared/tunnel/protocol.js";

export type Frame = Record<string, unknown> & { type: string };
const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");

/**
 * A scripted, possibly hostile gateway for runner tests: it challenges, welcomes whatever hello
 * arrives (the runner's own checks are under test, not the gateway's), and lets the test send any
 * frame — forged, replayed or altered calls included. It is a real WebSocket server.
 */
export class HostileGateway {
  private server: WebSocketServer | null = null;
  private socket: WebSocket | null = null;
  private readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  private connected: (() => void) | null = null;
  /** How many `results` batch frames the runner sent (their results are queued one by one). */
  batches = 0;

  async start(runner: string): Promise<string> {
    this.server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/tunnel" });
    await new Promise<void>((resolve) => this.server?.once("listening", () => resolve()));
    this.server.on("connection", (socket) => {
      this.socket = socket;
      socket.send(JSON.stringify({ type: "challenge", versions: [PROTOCOL_VERSION], nonce: randomBytes(24).toString("base64url") }));
      socket.on("message", (data) => {
        const frame = JSON.parse(messageText(data)) as Frame;
        if (frame.type === "hello") {
          socket.send(JSON.stringify({ type: "welcome", version: PROTOCOL_VERSION, runner, resume: { callSeq: 0, resultSeq: 0 } }));
          this.connected?.();
          return;
        }
        if (frame.type === "ping") return void socket.send('{"type":"pong"}');
        // A v4 `results` batch is its results in order; `batches` counts the frames.
        if (frame.type === "results") {
          this.batches += 1;
          this.frames.push(...(frame.results as Frame[]));
        } else this.frames.push(frame);
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  waitForRunner(): Promise<void> {
    return new Promise((resolve) => (this.connected = resolve));
  }

  send(frame: unknown): void {
    this.socket?.send(JSON.stringify(frame));
  }

  /** The next frame of `type` the runner sent (others of other types stay queued). */
  async next(type: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((frame) => frame.type === type);
      if (index >= 0) return this.frames.splice(index, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no ${type} frame within ${timeoutMs}ms; have ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The real runner as its own process (`drawbridge runner`), its JSON log lines collected. */
export function spawnRunner(env: Record<string, string>, log: string[]): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", cliEntry, "runner"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
    detached: false,
  });
  createInterface({ input: child.stdout }).on("line", (line) => log.push(line));
  return child;
}
