import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expectedEnumValues } from "./proto-enums";

/**
 * Refuses a JSON request message that names an enum value the API does not have. Connect reads
 * JSON leniently, ignoring what it does not know so that older servers accept newer clients; for
 * an enum name that means dropping the field, so `{"status": "done"}` would list every job as if
 * no filter had been given. Numbers are left alone: an unknown number survives parsing and the
 * request reader refuses it (from-request.ts). JSON that does not parse is left to Connect, which
 * refuses it itself.
 */
export function checkJsonEnums(input: DescMessage, body: Uint8Array): void {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return;
  }
  const problem = unknownEnumName(input, json, "");
  if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
}

/** The first problem, as `field.path: expected one of …`; field names are the proto's. */
function unknownEnumName(message: DescMessage, json: unknown, prefix: string): string | undefined {
  // The well-known types have JSON forms of their own (a Struct is any object), none with enums.
  if (!isObject(json) || message.typeName.startsWith("google.protobuf.")) return undefined;
  for (const field of message.fields) {
    const value = json[field.jsonName] ?? json[field.name];
    const at = `${prefix}${field.name}`;
    for (const item of itemsOf(field, value)) {
      const problem = checkItem(field, item, at);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

function checkItem(field: DescField, item: unknown, at: string): string | undefined {
  const enumDesc = field.fieldKind === "enum" ? field.enum : elementEnum(field);
  if (enumDesc !== undefined)
    return typeof item === "string" && !enumDesc.values.some((v) => v.name === item)
      ? `${at}: ${expectedEnumValues(enumDesc)}`
      : undefined;
  const messageDesc = field.fieldKind === "message" ? field.message : elementMessage(field);
  return messageDesc === undefined ? undefined : unknownEnumName(messageDesc, item, `${at}.`);
}

/** A repeated field's elements, a map's values, or a singular field's one value. */
function itemsOf(field: DescField, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (field.fieldKind === "list") return Array.isArray(value) ? value : [];
  if (field.fieldKind === "map") return isObject(value) ? Object.values(value) : [];
  return [value];
}

function elementEnum(field: DescField) {
  if (field.fieldKind === "list" && field.listKind === "enum") return field.enum;
  if (field.fieldKind === "map" && field.mapKind === "enum") return field.enum;
  return undefined;
}

function elementMessage(field: DescField) {
  if (field.fieldKind === "list" && field.listKind === "message") return field.message;
  if (field.fieldKind === "map" && field.mapKind === "message") return field.message;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
