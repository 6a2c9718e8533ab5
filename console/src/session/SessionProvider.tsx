import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { platformClients } from "../api/clients";
import type { Tenant } from "../api/platform";
import { problemText } from "../api/problem";
import { type Session, SessionContext, type SessionState } from "./session-context";
import { tokenStore } from "./token-store";

/**
 * Signs in with a token: the service's list of the caller's tenants is the proof it is good.
 * `onRefused`: the service refused the token later on.
 */
async function open(token: string, onRefused: (error: unknown) => void): Promise<SessionState> {
  const clients = platformClients(token, onRefused);
  const { tenants } = await clients.governance.listTenants({});
  const sorted = [...tenants].sort((a, b) => a.name.localeCompare(b.name));
  return { status: "signed-in", clients, tenants: sorted, tenant: chosen(sorted, tokenStore.tenant()) };
}

function chosen(tenants: readonly Tenant[], name: string | null): Tenant | undefined {
  return tenants.find((t) => t.name === name) ?? tenants[0];
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(() =>
    tokenStore.token() === null ? { status: "signed-out" } : { status: "restoring" },
  );

  const signOut = useCallback((notice?: string) => {
    tokenStore.clear();
    setState(notice === undefined ? { status: "signed-out" } : { status: "signed-out", notice });
  }, []);
  const refused = useCallback((error: unknown) => signOut(problemText(error)), [signOut]);

  useEffect(() => {
    const token = tokenStore.token();
    if (token === null) return;
    let live = true;
    open(token, refused).then(
      (opened) => live && setState(opened),
      (error: unknown) => {
        tokenStore.clear();
        if (live) setState({ status: "signed-out", notice: problemText(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [refused]);

  const signIn = useCallback(
    async (token: string) => {
      // Refused at once, the token was never in: the sign-in page says why, nothing is signed out.
      let checked = false;
      const opened = await open(token, (error) => checked && refused(error));
      checked = true;
      tokenStore.save(token);
      setState(opened);
    },
    [refused],
  );

  const selectTenant = useCallback((name: string) => {
    tokenStore.saveTenant(name);
    setState((current) =>
      current.status === "signed-in" ? { ...current, tenant: chosen(current.tenants, name) } : current,
    );
  }, []);

  const session = useMemo<Session>(
    () => ({ state, signIn, signOut, selectTenant }),
    [state, signIn, signOut, selectTenant],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
