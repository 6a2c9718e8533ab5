import { useCallback, useEffect, useState } from "react";
import type { PlatformClients } from "../../api/clients";
import type { Deployment } from "../../api/platform";
import { problemText } from "../../api/problem";
import type { Loaded } from "../../components/use-loaded";

/** The tenant's deployments awaiting approval, oldest request first; `reload` asks again. */
export function useApprovals(
  clients: PlatformClients,
  tenant: string,
): { pending: Loaded<readonly Deployment[]>; reload: () => void } {
  const [pending, setPending] = useState<Loaded<readonly Deployment[]>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  useEffect(() => {
    void generation;
    const abort = new AbortController();
    const { signal } = abort;
    clients.stacks.listPendingApprovals({ tenant }, { signal }).then(
      // A reload keeps the list on screen until the new one is in.
      ({ deployments }) => signal.aborted || setPending({ status: "done", value: deployments }),
      (error: unknown) => signal.aborted || setPending({ status: "failed", problem: problemText(error) }),
    );
    return () => abort.abort();
  }, [clients, tenant, generation]);
  return { pending, reload };
}
