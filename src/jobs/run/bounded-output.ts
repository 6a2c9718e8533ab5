/**
 * The engine's output (already redacted), bounded: the first `headBytes` and the last `tailBytes` characters
 * are kept, with a marker saying how much was dropped between them.
 */
export class BoundedOutput {
  private head = "";
  private tail = "";
  private dropped = 0;

  constructor(
    private readonly headBytes = 16 * 1024,
    private readonly tailBytes = 48 * 1024,
  ) {}

  append(chunk: string): void {
    if (this.head.length < this.headBytes) {
      const room = this.headBytes - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
    }
    if (chunk === "") return;
    this.tail += chunk;
    // Trim lazily, so appending many small chunks stays linear.
    if (this.tail.length > this.tailBytes * 2) this.trimTail();
  }

  get truncated(): boolean {
    this.trimTail();
    return this.dropped > 0;
  }

  toString(): string {
    this.trimTail();
    return this.dropped > 0
      ? `${this.head}\n[… ${this.dropped} characters of output truncated …]\n${this.tail}`
      : this.head + this.tail;
  }

  private trimTail(): void {
    if (this.tail.length <= this.tailBytes) return;
    let cut = this.tail.length - this.tailBytes;
    const newline = this.tail.indexOf("\n", cut);
    if (newline !== -1 && newline - cut < 1024) cut = newline + 1;
    this.dropped += cut;
    this.tail = this.tail.slice(cut);
  }
}
