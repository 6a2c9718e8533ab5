import type { Principal } from "../../catalog/permissions";

/** Who is asking, once their token is checked. */
export interface Caller {
  /** The user's name, or `service` for the service's own token. */
  readonly actor: string;
  readonly principal: Principal;
}

/** The service's own token: the operator's, with every permission in every tenant. */
export const SERVICE_CALLER: Caller = {
  actor: "service",
  principal: { userId: "service", memberships: new Map(), providerAdmin: true },
};
