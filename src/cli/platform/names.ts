import { Code, ConnectError } from "@connectrpc/connect";
import type { PlatformClient } from "../../jobs/api/client";
import { allPages, MAX_PAGE_SIZE } from "./pages";

/**
 * Names for the ids the API's records carry (a stack's template, a membership's user), so tables
 * show what users type. Each is a read the caller may be refused; an id without a name is shown
 * as it is.
 */

/** Every template `tenant` sees, id → name. */
export async function templateNames(client: PlatformClient, tenant: string): Promise<Map<string, string>> {
  const templates = await allPages(async (pageToken) => {
    const page = await client.catalog.listTemplates({ tenant, pageSize: MAX_PAGE_SIZE, pageToken });
    return { items: page.templates, nextPageToken: page.nextPageToken };
  });
  return new Map(templates.map((template) => [template.id, template.name]));
}

/** The tenants the caller belongs to (every tenant, for a Provider Admin), id → name. */
export async function tenantNames(client: PlatformClient): Promise<Map<string, string>> {
  const { tenants } = await client.governance.listTenants({});
  return new Map(tenants.map((tenant) => [tenant.id, tenant.name]));
}

/** Users, id → name: a Provider Admin's to list; anyone else sees ids. */
export async function userNames(client: PlatformClient): Promise<Map<string, string>> {
  try {
    const { users } = await client.governance.listUsers({});
    return new Map(users.map((user) => [user.id, user.name]));
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.PermissionDenied) return new Map();
    throw error;
  }
}

export function nameOr(names: ReadonlyMap<string, string>, id: string): string {
  return names.get(id) ?? id;
}
