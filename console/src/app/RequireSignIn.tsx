import { Navigate, Outlet, useLocation } from "react-router";
import { StatusNotice } from "../components/Notice";
import { useSession } from "../session/session-context";
import { ROUTES } from "./routes";

/** The pages behind it need a user: without one, the sign-in page, which comes back here after. */
export function RequireSignIn() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === "restoring")
    return (
      <main id="main" className="page">
        <StatusNotice>Signing in…</StatusNotice>
      </main>
    );
  if (state.status === "signed-out")
    return <Navigate to={ROUTES.signIn} replace state={{ from: location.pathname + location.search }} />;
  return <Outlet />;
}
