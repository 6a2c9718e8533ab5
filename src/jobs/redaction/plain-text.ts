/**
 * Text as the job service stores and shows it: without terminal escape sequences or other control
 * characters. A program or provider may color its output whatever the engine is told; stored raw,
 * the escapes would clutter every API answer and, printed by the CLI, drive the operator's
 * terminal (move the cursor, rewrite lines, set the window title).
 */

// CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), and the other two-byte ESC sequences.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[ -~]?/g;
// C0 controls but tab and newline, DEL, and C1 controls (0x9b is a one-byte CSI).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function plainText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(/\r\n/g, "\n").replace(CONTROL, "");
}
