import { type DescMessage, type JsonValue, type MessageShape, toJsonString } from "@bufbuild/protobuf";
import { plainText } from "../../jobs/redaction/plain-text";
import { formatTable } from "../table";
import type { PlatformCliIo } from "./command";

/**
 * How the catalogue's commands answer: the API's JSON under --json, else aligned plain text.
 * Every text a user or tenant chose (names, descriptions, errors) is shown plain, on one line:
 * it must neither drive the terminal nor forge a line of the answer.
 */

/**
 * The API's JSON, every field written, defaults too (`"templates": []`, `"system": false`): a
 * script reads a field without asking first whether the answer left it out.
 */
export function printJson<Desc extends DescMessage>(
  io: PlatformCliIo,
  schema: Desc,
  message: MessageShape<Desc>,
): void {
  io.log(toJsonString(schema, message, { prettySpaces: 2, alwaysEmitImplicit: true }));
}

/** Text as one plain line. */
export function cell(text: string): string {
  return plainText(text).replace(/\s*\n\s*/g, " ");
}

/** A table with its header, or `empty` when there are no rows. */
export function printTable(
  io: PlatformCliIo,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  empty: string,
): void {
  if (rows.length === 0) {
    io.log(empty);
    return;
  }
  for (const line of formatTable([header, ...rows.map((row) => row.map(cell))])) io.log(line);
}

/** `label: value` lines, the values aligned. */
export function printFields(io: PlatformCliIo, fields: readonly (readonly [string, string])[]): void {
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  for (const [label, value] of fields) io.log(`${`${label}:`.padEnd(width)}${cell(value)}`.trimEnd());
}

/** A JSON value as it is written in JSON: strings quoted, so `"3"` and `3` read apart. */
export function jsonText(value: JsonValue | undefined): string {
  return value === undefined ? "-" : JSON.stringify(value);
}

/** An object's entries as indented `key: value` lines, or `none`. */
export function printEntries(
  io: PlatformCliIo,
  title: string,
  entries: { readonly [key: string]: JsonValue } | undefined,
): void {
  const keys = Object.keys(entries ?? {}).sort();
  if (entries === undefined || keys.length === 0) {
    io.log(`${title}: none`);
    return;
  }
  io.log(`${title}:`);
  for (const key of keys) io.log(`  ${cell(key)}: ${cell(jsonText(entries[key]))}`);
}
