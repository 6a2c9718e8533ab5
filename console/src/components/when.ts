import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** A time as the user's locale writes it; `absent` when the service sent none. */
export function when(at: Timestamp | undefined, absent = "—"): string {
  return at === undefined ? absent : WHEN.format(timestampDate(at));
}

/** How long from `from` to `to` (now while `to` is missing), in seconds or minutes. */
export function duration(from: Timestamp | undefined, to: Timestamp | undefined): string {
  if (from === undefined) return "";
  const ms = (to === undefined ? Date.now() : timestampDate(to).getTime()) - timestampDate(from).getTime();
  const seconds = Math.max(0, Math.round(ms / 100) / 10);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
