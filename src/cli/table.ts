import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";

/** Rows as lines of left-aligned columns, two spaces apart, without trailing blanks. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/** A time as ISO 8601 in UTC, `-` when there is none. */
export function timeText(timestamp: Timestamp | undefined): string {
  return timestamp === undefined ? "-" : timestampDate(timestamp).toISOString();
}
