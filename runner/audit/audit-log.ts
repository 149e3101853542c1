import { chmod, mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { redactValue } from "./redact.js";

/** One audit line. `event` names what happened; the rest is its detail (redacted before writing). */
export type AuditEvent = { event: string; [field: string]: unknown };

/**
 * The runner's audit log: JSON lines in a file only the runner's user can read or write (0600,
 * enforced on an existing file too), each with a timestamp, secrets redacted.
 */
export class AuditLog {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<AuditLog> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const file = await open(path, "a", 0o600);
    // A file that existed before keeps its mode on open; narrow it.
    await chmod(path, 0o600);
    return new AuditLog(file, path);
  }

  /** Appends one line; lines are written in call order. Never throws into the caller's path. */
  record(event: AuditEvent): Promise<void> {
    const line = JSON.stringify({ time: new Date().toISOString(), ...(redactValue(event) as AuditEvent) }) + "\n";
    this.queue = this.queue.then(() => this.file.appendFile(line, "utf8")).catch(() => undefined);
    return this.queue;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.file.close();
  }
}
