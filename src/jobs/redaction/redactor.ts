import { plainText } from "./plain-text";

/**
 * Keeps secret values out of everything the service stores or shows: job output, events and
 * errors. The engine masks the values it knows to be secret, but a program or a provider can
 * still print a credential or a secret input in plaintext, so every text leaving a job passes
 * through a Redactor that knows every secret of the service. It is also where that text becomes
 * plain (see plain-text.ts): first, so that an escape sequence inside a secret cannot hide it.
 */
export const REDACTED = "[secret]";

/** Shorter values would redact ordinary words; such a secret is worthless anyway. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly pattern: RegExp | undefined;

  constructor(secrets: Iterable<string>) {
    const values = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH))]
      // Longest first, so a secret that contains another is redacted whole.
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.pattern = values.length > 0 ? new RegExp(values.join("|"), "g") : undefined;
  }

  text(value: string): string {
    const plain = plainText(value);
    return this.pattern ? plain.replace(this.pattern, REDACTED) : plain;
  }

  /** Redacts every string inside a JSON-shaped value. */
  value<T>(value: T): T {
    return JSON.parse(JSON.stringify(value), (_key, v) => (typeof v === "string" ? this.text(v) : v)) as T;
  }
}

/**
 * Redacts a stream of text line by line: a secret split across two chunks of the engine's output
 * is whole again once its line is complete.
 */
export class RedactingLines {
  private pending = "";

  constructor(
    private readonly redactor: Redactor,
    private readonly sink: (text: string) => void,
  ) {}

  write(chunk: string): void {
    this.pending += chunk;
    const end = this.pending.lastIndexOf("\n");
    if (end === -1) return;
    this.sink(this.redactor.text(this.pending.slice(0, end + 1)));
    this.pending = this.pending.slice(end + 1);
  }

  flush(): void {
    if (this.pending !== "") this.sink(this.redactor.text(this.pending));
    this.pending = "";
  }
}
