import type { PlatformClients } from "../../api/clients";
import { listTemplates } from "../../api/lists";
import type { Template } from "../../api/platform";
import { type Loaded, useLoaded } from "../../components/use-loaded";

/**
 * The tenant's templates, by name. Each says which version of it is published (`latestPublished`,
 * 0: none yet), so the page needs no other call to show and filter by it.
 */
export function useTemplates(clients: PlatformClients, tenant: string): Loaded<Template[]> {
  return useLoaded((signal) => listTemplates(clients, tenant, signal), [clients, tenant]);
}
