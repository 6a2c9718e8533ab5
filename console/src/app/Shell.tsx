import { NavLink, Outlet } from "react-router";
import { useSession, useSignedIn } from "../session/session-context";
import { ROUTES } from "./routes";
import { ThemePicker } from "./ThemePicker";

/** The frame of every signed-in page: where to go, which tenant, signing out. */
export function Shell() {
  const { signOut, selectTenant } = useSession();
  const { tenants, tenant } = useSignedIn();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <span className="brand">Stackwright</span>
        <nav aria-label="Main">
          <NavLink to={ROUTES.templates}>Templates</NavLink>
          <NavLink to={ROUTES.stacks}>Stacks</NavLink>
          <NavLink to={ROUTES.approvals}>Approvals</NavLink>
          <NavLink to={ROUTES.governance}>Governance</NavLink>
        </nav>
        <div className="shell-actions">
          <ThemePicker />
          <label>
            Tenant{" "}
            <select
              value={tenant?.name ?? ""}
              onChange={(event) => selectTenant(event.target.value)}
              disabled={tenants.length < 2}
            >
              {tenants.map((t) => (
                <option key={t.id} value={t.name}>
                  {t.displayName || t.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page">
        <Outlet />
      </main>
    </>
  );
}
