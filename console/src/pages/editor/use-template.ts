import type { PlatformClients } from "../../api/clients";
import type { TemplateView } from "../../api/platform";
import { type Loaded, useReloadable } from "../../components/use-loaded";

/** A template as the tenant sees it, with every version's source; `reload` reads it again. */
export function useTemplate(
  clients: PlatformClients,
  tenant: string,
  id: string,
): { view: Loaded<TemplateView>; reload: () => void } {
  const { loaded, reload } = useReloadable(
    (signal) => clients.catalog.getTemplate({ tenant, template: id }, { signal }),
    [clients, tenant, id],
  );
  return { view: loaded, reload };
}
