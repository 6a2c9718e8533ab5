import { callerRole } from "../api/caller-role";
import type { Role } from "../api/platform";
import { useLoaded } from "../components/use-loaded";
import { useSignedIn } from "./session-context";

/**
 * The signed-in user's role in the tenant they look at; undefined until it is known (or when it
 * cannot be), so that what needs a role stays off until then.
 */
export function useRole(): Role | undefined {
  const { clients, tenant } = useSignedIn();
  const name = tenant?.name ?? "";
  const loaded = useLoaded((signal) => callerRole(clients, name, signal), [clients, name]);
  return loaded.status === "done" ? loaded.value : undefined;
}
