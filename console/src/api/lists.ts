import type { PlatformClients } from "./clients";
import { allPages, PAGE_SIZE_MAX } from "./paging";
import type { Template, TenantStack } from "./platform";

/** Every template the tenant sees, by name. */
export function listTemplates(
  clients: PlatformClients,
  tenant: string,
  signal: AbortSignal,
): Promise<Template[]> {
  return allPages(async (pageToken) => {
    const page = await clients.catalog.listTemplates(
      { tenant, pageSize: PAGE_SIZE_MAX, pageToken },
      { signal },
    );
    return { items: page.templates, next: page.nextPageToken };
  });
}

/** Every stack of the tenant, by name; the destroyed ones too when asked. */
export function listStacks(
  clients: PlatformClients,
  tenant: string,
  includeDestroyed: boolean,
  signal: AbortSignal,
): Promise<TenantStack[]> {
  return allPages(async (pageToken) => {
    const page = await clients.stacks.listStacks(
      { tenant, includeDestroyed, pageSize: PAGE_SIZE_MAX, pageToken },
      { signal },
    );
    return { items: page.stacks, next: page.nextPageToken };
  });
}
