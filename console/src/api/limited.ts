/**
 * Runs `call` on every item, at most `limit` at a time: enough to overlap round trips, few enough
 * not to crowd the browser's connections to the service.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  call: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await call(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
