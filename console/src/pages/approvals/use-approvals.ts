import type { PlatformClients } from "../../api/clients";
import type { Deployment } from "../../api/platform";
import { type Loaded, useReloadable } from "../../components/use-loaded";

/** The tenant's deployments awaiting approval, oldest request first; `reload` asks again. */
export function useApprovals(
  clients: PlatformClients,
  tenant: string,
): { pending: Loaded<readonly Deployment[]>; reload: () => void } {
  const { loaded, reload } = useReloadable(
    async (signal) => (await clients.stacks.listPendingApprovals({ tenant }, { signal })).deployments,
    [clients, tenant],
  );
  return { pending: loaded, reload };
}
