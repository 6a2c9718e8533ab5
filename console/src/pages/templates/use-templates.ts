import { useEffect, useState } from "react";
import type { PlatformClients } from "../../api/clients";
import { eachLimited } from "../../api/limited";
import { listTemplates } from "../../api/lists";
import type { Template } from "../../api/platform";
import { type Loaded, useLoaded } from "../../components/use-loaded";

/** Template id → its newest published version (0: none yet). */
export type PublishedVersions = ReadonlyMap<string, number>;

/** GetTemplate calls in flight at once while the published versions are looked up. */
const DETAIL_CALLS = 6;

/**
 * The tenant's templates, then — one GetTemplate each, since the list does not say — which
 * version of each is published, filled in as the answers come.
 */
export function useTemplates(
  clients: PlatformClients,
  tenant: string,
): { list: Loaded<Template[]>; published: PublishedVersions } {
  const list = useLoaded((signal) => listTemplates(clients, tenant, signal), [clients, tenant]);
  const [published, setPublished] = useState<PublishedVersions>(new Map());

  useEffect(() => {
    setPublished(new Map());
    if (list.status !== "done") return;
    const abort = new AbortController();
    eachLimited(list.value, DETAIL_CALLS, async (template) => {
      const view = await clients.catalog.getTemplate(
        { tenant, template: template.id },
        { signal: abort.signal },
      );
      if (!abort.signal.aborted)
        setPublished((known) => new Map(known).set(template.id, view.latestPublished));
    }).catch(() => {
      // A template that cannot be looked up keeps "unknown": the list itself is still right.
    });
    return () => abort.abort();
  }, [clients, tenant, list]);

  return { list, published };
}
