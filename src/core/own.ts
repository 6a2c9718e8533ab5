/**
 * Lookups on objects that come from outside (a schema, a request, a configuration file). A plain
 * `object[key]` or `key in object` also finds what every object inherits — `constructor`,
 * `toString`, `__proto__`… — so a request naming one of those would pass as a known field.
 */

/** `record[key]` when `key` is the record's own property; undefined otherwise. */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets `record[key]` as an own data property, even for `__proto__`. */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
