import { lazy, type ReactNode, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { StatusNotice } from "../components/Notice";
import { SignInPage } from "../pages/sign-in/SignInPage";
import { StacksPage } from "../pages/stacks/StacksPage";
import { TemplatesPage } from "../pages/templates/TemplatesPage";
import { SessionProvider } from "../session/SessionProvider";
import { NotFoundPage } from "./NotFoundPage";
import { RequireSignIn } from "./RequireSignIn";
import { ROUTES } from "./routes";
import { Shell } from "./Shell";

// Pages past the first are loaded when first opened, each in a chunk of its own: the first page
// stays within its budget (test/console/bundle-budget.test.ts).
const ApprovalsPage = lazy(() =>
  import("../pages/approvals/ApprovalsPage").then((m) => ({ default: m.ApprovalsPage })),
);
const TemplateEditorPage = lazy(() =>
  import("../pages/editor/TemplateEditorPage").then((m) => ({ default: m.TemplateEditorPage })),
);
const GovernancePage = lazy(() =>
  import("../pages/governance/GovernancePage").then((m) => ({ default: m.GovernancePage })),
);
const StackPage = lazy(() => import("../pages/stack/StackPage").then((m) => ({ default: m.StackPage })));

/** A lazily loaded page, with a word while its chunk comes. */
function Later({ children }: { children: ReactNode }) {
  return <Suspense fallback={<StatusNotice>Loading…</StatusNotice>}>{children}</Suspense>;
}

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <Routes>
          <Route path="/" element={<Navigate to={ROUTES.templates} replace />} />
          <Route path={ROUTES.signIn} element={<SignInPage />} />
          <Route path="/infrastructure" element={<RequireSignIn />}>
            <Route element={<Shell />}>
              <Route index element={<Navigate to={ROUTES.templates} replace />} />
              <Route path="templates" element={<TemplatesPage />} />
              <Route path="stacks" element={<StacksPage />} />
              <Route
                path="templates/:id"
                element={
                  <Later>
                    <TemplateEditorPage />
                  </Later>
                }
              />
              <Route
                path="governance"
                element={
                  <Later>
                    <GovernancePage />
                  </Later>
                }
              />
              <Route
                path="approvals"
                element={
                  <Later>
                    <ApprovalsPage />
                  </Later>
                }
              />
              <Route
                path="stacks/:name"
                element={
                  <Later>
                    <StackPage />
                  </Later>
                }
              />
            </Route>
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}
