import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Governance, TemplateCatalog, TenantStacks } from "./platform";

/** The platform's three services, each call signed with one user's API token. */
export interface PlatformClients {
  readonly catalog: Client<typeof TemplateCatalog>;
  readonly stacks: Client<typeof TenantStacks>;
  readonly governance: Client<typeof Governance>;
}

export function platformClients(token: string, baseUrl = window.location.origin): PlatformClients {
  const bearer: Interceptor = (next) => (request) => {
    request.header.set("Authorization", `Bearer ${token}`);
    return next(request);
  };
  const transport = createConnectTransport({ baseUrl, interceptors: [bearer] });
  return {
    catalog: createClient(TemplateCatalog, transport),
    stacks: createClient(TenantStacks, transport),
    governance: createClient(Governance, transport),
  };
}
