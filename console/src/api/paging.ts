/** One page of a list RPC: its items and the token of the next page ("" on the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string;
}

/** The most a list RPC returns in one page (the API's bound). */
export const PAGE_SIZE_MAX = 500;

/** Every item of a paged list, page after page. */
export async function allPages<T>(page: (token: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let token = "";
  do {
    const next = await page(token);
    items.push(...next.items);
    token = next.next;
  } while (token !== "");
  return items;
}
