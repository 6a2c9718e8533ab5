import type { ComponentType } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { ErrorNotice, StatusNotice } from "../components/Notice";
import { type LazyModule, lazyModule, useModule } from "../components/use-module";
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
const ApprovalsPage = lazyModule(() =>
  import("../pages/approvals/ApprovalsPage").then((m) => m.ApprovalsPage),
);
const TemplateEditorPage = lazyModule(() =>
  import("../pages/editor/TemplateEditorPage").then((m) => m.TemplateEditorPage),
);
const GovernancePage = lazyModule(() =>
  import("../pages/governance/GovernancePage").then((m) => m.GovernancePage),
);
const StackPage = lazyModule(() => import("../pages/stack/StackPage").then((m) => m.StackPage));

/**
 * A lazily loaded page, with a word while its chunk comes; shown the moment it is in (not through
 * Suspense, which holds a page back up to 300 ms after its fallback: see use-module.ts).
 */
function Later({ page }: { page: LazyModule<ComponentType> }) {
  const loaded = useModule(page);
  if (loaded.status === "loading") return <StatusNotice>Loading…</StatusNotice>;
  if (loaded.status === "failed")
    return <ErrorNotice>This page could not be loaded. {loaded.problem}</ErrorNotice>;
  return <loaded.value />;
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
              <Route path="templates/:id" element={<Later page={TemplateEditorPage} />} />
              <Route path="governance" element={<Later page={GovernancePage} />} />
              <Route path="approvals" element={<Later page={ApprovalsPage} />} />
              <Route path="stacks/:name" element={<Later page={StackPage} />} />
            </Route>
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}
