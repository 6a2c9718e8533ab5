import { Link } from "react-router";
import { usePageTitle } from "../components/use-page-title";
import { ROUTES } from "./routes";

export function NotFoundPage() {
  usePageTitle("Not found");
  return (
    <main id="main" className="page">
      <h1>Not found</h1>
      <p>
        There is no such page in the console. <Link to={ROUTES.templates}>See the templates</Link>.
      </p>
    </main>
  );
}
