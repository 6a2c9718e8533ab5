/** The most items the platform's list RPCs answer at once. */
export const MAX_PAGE_SIZE = 500;

/** Every item of a paged list: pages are asked for until the service says there is no next one. */
export async function allPages<T>(
  page: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let pageToken = "";
  do {
    const answer = await page(pageToken);
    items.push(...answer.items);
    pageToken = answer.nextPageToken;
  } while (pageToken !== "");
  return items;
}
