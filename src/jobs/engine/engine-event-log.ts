import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { EngineEvent } from "@pulumi/pulumi/automation";

/**
 * Follows the engine's event log (`pulumi … --event-log FILE`, one JSON engine event per line)
 * while the engine writes it, so progress is seen live, and once more at the end so no event is
 * missed. The Automation API reads the same log the same way.
 *
 * The CLI truncates the log each time it starts a display: an `up` that previews first (one that
 * applies an update plan) writes the preview's events, then the update's over them. A log found
 * shorter than what was read of it is followed again from its start. (An update that rewrote more
 * than the whole preview's log between two reads would go unnoticed, its first events lost; but it
 * writes resource events only once its program runs again.)
 */
export class EventLogTail {
  private fd: number | undefined;
  private position = 0;
  private pending = "";
  private readonly timer: NodeJS.Timeout;
  private readonly buffer = Buffer.alloc(64 * 1024);
  // A read can end inside a multi-byte character; the decoder keeps its first bytes for the next.
  private decoder = new StringDecoder("utf8");

  constructor(
    private readonly file: string,
    private readonly onEvent: (event: EngineEvent) => void,
    intervalMs = 50,
  ) {
    this.timer = setInterval(() => this.drain(), intervalMs);
  }

  /** Reads what is left and stops following; call after the engine exited. */
  close(): void {
    clearInterval(this.timer);
    this.drain();
    if (this.pending.trim() !== "") this.emit(this.pending);
    this.pending = "";
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private drain(): void {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.file, "r");
      } catch {
        return; // The engine has not created it yet.
      }
    }
    if (fstatSync(this.fd).size < this.position) {
      this.position = 0;
      this.pending = "";
      this.decoder = new StringDecoder("utf8");
    }
    for (;;) {
      const n = readSync(this.fd, this.buffer, 0, this.buffer.length, this.position);
      if (n === 0) break;
      this.position += n;
      this.pending += this.decoder.write(this.buffer.subarray(0, n));
    }
    const end = this.pending.lastIndexOf("\n");
    if (end === -1) return;
    for (const line of this.pending.slice(0, end).split("\n")) if (line.trim() !== "") this.emit(line);
    this.pending = this.pending.slice(end + 1);
  }

  private emit(line: string): void {
    try {
      this.onEvent(JSON.parse(line) as EngineEvent);
    } catch {
      // A line cut by a killed engine: nothing to learn from it.
    }
  }
}
