import { createContext, useContext } from "react";
import type { PlatformClients } from "../api/clients";
import type { Tenant } from "../api/platform";

/** A user signed in: their clients, the tenants they may see and the one they look at. */
export interface SignedIn {
  readonly status: "signed-in";
  readonly clients: PlatformClients;
  readonly tenants: readonly Tenant[];
  readonly tenant: Tenant | undefined;
}

export type SessionState =
  | { readonly status: "restoring" }
  | { readonly status: "signed-out"; readonly notice?: string }
  | SignedIn;

export interface Session {
  readonly state: SessionState;
  /** Checks the token with the service first; rejects with the service's error when it is refused. */
  signIn(token: string): Promise<void>;
  signOut(notice?: string): void;
  selectTenant(name: string): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside SessionProvider");
  return session;
}

/** The signed-in session; only for pages behind RequireSignIn. */
export function useSignedIn(): SignedIn {
  const { state } = useSession();
  if (state.status !== "signed-in") throw new Error("useSignedIn on a page that does not require sign-in");
  return state;
}
