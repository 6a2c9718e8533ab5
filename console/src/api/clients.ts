import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Governance, TemplateCatalog, TenantStacks } from "./platform";
import { isSignedOut } from "./problem";

/** The platform's three services, each call signed with one user's API token. */
export interface PlatformClients {
  readonly catalog: Client<typeof TemplateCatalog>;
  readonly stacks: Client<typeof TenantStacks>;
  readonly governance: Client<typeof Governance>;
}

/**
 * Clients for the service this page came from. `onRefused` hears of every call refused for the
 * token (revoked, expired): the session is over, whichever page made the call.
 */
export function platformClients(
  token: string,
  onRefused: (error: unknown) => void,
  baseUrl = window.location.origin,
): PlatformClients {
  const bearer: Interceptor = (next) => async (request) => {
    request.header.set("Authorization", `Bearer ${token}`);
    try {
      return await next(request);
    } catch (error) {
      if (isSignedOut(error)) onRefused(error);
      throw error;
    }
  };
  const transport = createConnectTransport({ baseUrl, interceptors: [bearer] });
  return {
    catalog: createClient(TemplateCatalog, transport),
    stacks: createClient(TenantStacks, transport),
    governance: createClient(Governance, transport),
  };
}
