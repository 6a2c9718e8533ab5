import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { SignInPage } from "../pages/sign-in/SignInPage";
import { StackPage } from "../pages/stack/StackPage";
import { StacksPage } from "../pages/stacks/StacksPage";
import { TemplatesPage } from "../pages/templates/TemplatesPage";
import { SessionProvider } from "../session/SessionProvider";
import { NotFoundPage } from "./NotFoundPage";
import { RequireSignIn } from "./RequireSignIn";
import { ROUTES } from "./routes";
import { Shell } from "./Shell";

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
              <Route path="stacks/:name" element={<StackPage />} />
            </Route>
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}
