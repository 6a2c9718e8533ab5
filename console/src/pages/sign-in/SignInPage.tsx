import { type FormEvent, useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { problemText } from "../../api/problem";
import { ROUTES } from "../../app/routes";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { usePageTitle } from "../../components/use-page-title";
import { useSession } from "../../session/session-context";

/** Where to go once signed in: the page that sent the user here, or the templates. */
function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === "string" && from.startsWith("/infrastructure/") ? from : ROUTES.templates;
}

export function SignInPage() {
  usePageTitle("Sign in");
  const { state, signIn } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  if (state.status === "signed-in") return <Navigate to={returnPath(location.state)} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await signIn(token.trim());
      navigate(returnPath(location.state), { replace: true });
    } catch (error) {
      setProblem(problemText(error));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page sign-in">
      <h1>Sign in to Stackwright</h1>
      <p>
        Paste your API token. An administrator issues one with <code>stackwright tokens issue</code>.
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={problem !== undefined}
          aria-describedby={problem === undefined ? undefined : "sign-in-problem"}
        />
        <button type="submit" disabled={busy || token.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {problem !== undefined && (
        <div id="sign-in-problem">
          <ErrorNotice>Sign-in failed. {problem}</ErrorNotice>
        </div>
      )}
      {problem === undefined && state.status === "signed-out" && state.notice !== undefined && (
        <StatusNotice>You were signed out. {state.notice}</StatusNotice>
      )}
    </main>
  );
}
